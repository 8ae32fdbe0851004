using Microsoft.Extensions.Logging;

namespace PriceActors.Tests.Grains;

/// <summary>Records every log entry and lets a test wait, with a deadline, for an event to be logged.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly List<LogEntry> entries = [];
    private readonly List<(int EventId, int Count, TaskCompletionSource Done)> waiters = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries];
            }
        }
    }

    public int CountOf(int eventId)
    {
        lock (gate)
        {
            return entries.Count(e => e.EventId == eventId);
        }
    }

    /// <summary>Completes once <paramref name="count"/> entries with <paramref name="eventId"/> were logged in all.</summary>
    public Task WaitForCountAsync(int eventId, int count)
    {
        lock (gate)
        {
            if (entries.Count(e => e.EventId == eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((eventId, count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        lock (gate)
        {
            entries.Add(entry);
            foreach (var waiter in waiters.ToArray())
            {
                if (waiter.EventId == entry.EventId && entries.Count(e => e.EventId == waiter.EventId) >= waiter.Count)
                {
                    waiters.Remove(waiter);
                    waiter.Done.TrySetResult();
                }
            }
        }
    }

    internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message);

    private sealed class Logger(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception)));
    }
}
