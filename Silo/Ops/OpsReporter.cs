using PriceActors.Grains;
using PriceActors.Grains.Ops;

namespace PriceActors.Silo.Ops;

/// <summary>
/// Reports this process to the operations grain every <see cref="Period"/> and keeps its own last
/// <see cref="OpsGrain.History"/> reports. When the grain answers that it holds fewer of them than this process sent (a new
/// activation, after the grain moved or its silo failed, or reports that did not arrive) they are all sent again, so the
/// view's last minutes outlive the activation. A report that fails is logged and the next one tries again.
/// </summary>
public abstract partial class OpsReporter(IGrainFactory grains, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>How often a process reports.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Failed reports in a row after which the process warns that /ops misses it; a single failure (while a silo starts,
    /// say) stays at debug.
    /// </summary>
    public const int FailuresBeforeWarning = 5;

    private readonly Queue<ProcessReport> kept = new(OpsGrain.History);

    /// <summary>The process's report as of <paramref name="now"/>.</summary>
    protected abstract ProcessReport Report(DateTimeOffset now);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var report = Report(time.GetUtcNow());
                failures = await SendAsync(report) ? Recovered(report.Id, failures) : Failed(report.Id, failures);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<bool> SendAsync(ProcessReport report)
    {
        if (kept.Count == OpsGrain.History)
        {
            kept.Dequeue();
        }

        kept.Enqueue(report);
        try
        {
            var ops = grains.GetGrain<IOpsGrain>(IOpsGrain.Key);
            var held = await ops.ReportAsync([report]);
            if (held < kept.Count)
            {
                LogResent(report.Id, held, kept.Count);
                await ops.ReportAsync([.. kept]);
            }

            return true;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogReportFailed(error, report.Id);
            return false;
        }
    }

    private int Failed(string process, int failures)
    {
        if (++failures == FailuresBeforeWarning)
        {
            LogReportsFailing(process, failures * Period.TotalSeconds);
        }

        return failures;
    }

    private int Recovered(string process, int failures)
    {
        if (failures >= FailuresBeforeWarning)
        {
            LogReportsRecovered(process, failures);
        }

        return 0;
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Debug, Message = "The operations report of {Process} did not reach the operations grain")]
    private partial void LogReportFailed(Exception error, string process);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "The operations grain held {Held} of the {Kept} reports of {Process}; all of them sent again")]
    private partial void LogResent(string process, int held, int kept);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "{Process} has not reached the operations grain for {Seconds} s; /ops does not show it live until it does")]
    private partial void LogReportsFailing(string process, double seconds);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "{Process} reaches the operations grain again after {Failures} failed reports")]
    private partial void LogReportsRecovered(string process, int failures);
}
