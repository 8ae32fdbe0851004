using PriceActors.Grains;
using PriceActors.Grains.Ops;

namespace PriceActors.Silo.Ops;

/// <summary>
/// Reports this silo's tick streams and busiest pairs (<see cref="SiloActivity"/>) to the operations grain every
/// <see cref="Period"/>; a failed report is logged and the next one tries again.
/// </summary>
public sealed partial class SiloOpsReporter(IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time, ILogger<SiloOpsReporter> logger) : BackgroundService
{
    /// <summary>How often the silo reports.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    /// <summary>Pairs in a report: those with the most trades since the last one.</summary>
    public const int MaxPairs = 50;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var previous = new Dictionary<string, long>();
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var pairs = SiloActivity.Pairs();
                var busiest = pairs.Select(p => (Pair: p, Recent: p.Ticks - previous.GetValueOrDefault(p.Instrument))).Where(p => p.Recent > 0)
                    .OrderByDescending(p => p.Recent).Take(MaxPairs).Select(p => p.Pair).ToArray();
                previous = pairs.ToDictionary(p => p.Instrument, p => p.Ticks);
                var report = new ProcessReport(
                    silo.SiloAddress.ToParsableString(),
                    "silo",
                    time.GetUtcNow(),
                    new Dictionary<string, long> { ["ticks"] = pairs.Sum(p => p.Ticks) },
                    new Dictionary<string, double> { ["pairs"] = pairs.Length },
                    SiloActivity.Streams(),
                    busiest);
                try
                {
                    await grains.GetGrain<IOpsGrain>(IOpsGrain.Key).ReportAsync(report);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogReportFailed(error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Debug, Message = "The silo's operations report did not reach the operations grain")]
    private partial void LogReportFailed(Exception error);
}
