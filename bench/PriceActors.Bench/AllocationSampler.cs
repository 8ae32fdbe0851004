using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// The runtime's allocation sampling in this process (the GC's <c>AllocationTick</c> event, one per ~100 KB allocated,
/// naming the type of the object that crossed the mark), summed by type while recording: which types a run's
/// allocations are made of. <c>BENCH_ALLOCATIONS=1</c> turns it on for the latency run's silo.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickEventId = 10;
    private readonly ConcurrentDictionary<string, long> bytesByType = new();
    private volatile bool recording;

    public void Start() => recording = true;

    public void Stop() => recording = false;

    /// <summary>The types with the most sampled bytes, with their share of all sampled bytes.</summary>
    public IEnumerable<string> Report(int top)
    {
        var total = Math.Max(1, bytesByType.Values.Sum());
        return bytesByType.OrderByDescending(t => t.Value).Take(top).Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{t.Value * 100.0 / total,5:F1} %  {t.Key}"));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!recording || e.EventId != AllocationTickEventId || e.Payload is null)
        {
            return;
        }

        var index = e.PayloadNames!.IndexOf("TypeName");
        var amount = e.PayloadNames.IndexOf("AllocationAmount64");
        if (index >= 0 && amount >= 0 && e.Payload[index] is string type)
        {
            var bytes = Convert.ToInt64(e.Payload[amount], CultureInfo.InvariantCulture);
            bytesByType.AddOrUpdate(type, bytes, (_, sum) => sum + bytes);
        }
    }
}
