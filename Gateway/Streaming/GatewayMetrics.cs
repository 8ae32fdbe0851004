using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The gateway's instruments, on the meter <see cref="MeterName"/>: the update path's share of a tick's time and what the
/// streaming connections receive. Any <c>System.Diagnostics.Metrics</c> listener reads them
/// (<c>dotnet-counters monitor --counters PriceActors.Gateway</c>, OpenTelemetry at <c>/metrics</c>).
/// </summary>
public static class GatewayMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PriceActors.Gateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Per price update received from a pair: now minus the exchange time of its last trade.</summary>
    public static readonly Histogram<double> UpdateAge = Meter.CreateHistogram<double>(
        "priceactors.updates.age", "ms", "Age of a price update (since its last trade's exchange time) when it reaches the gateway");

    private static readonly ConcurrentDictionary<string, int> Open = new();
    private static long delivered;
    private static long conflated;
    private static long disconnected;

    /// <summary>Streaming connections open, by <c>transport</c>, observed when read (a listener started late reads them right).</summary>
    public static readonly ObservableUpDownCounter<int> Connections = Meter.CreateObservableUpDownCounter(
        "priceactors.stream.connections",
        () => Open.Select(o => new Measurement<int>(o.Value, new KeyValuePair<string, object?>("transport", o.Key))),
        "{connection}",
        "Streaming connections open");

    /// <summary>Messages written to streaming connections, by <c>transport</c>.</summary>
    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>(
        "priceactors.stream.delivered", "{message}", "Messages written to streaming connections");

    /// <summary>Updates merged into a later one for a slow or rate-limited connection.</summary>
    public static readonly Counter<long> Conflated = Meter.CreateCounter<long>(
        "priceactors.stream.conflated", "{update}", "Updates merged into a later one for a slow or rate-limited connection");

    /// <summary>Updates replayed to resuming clients.</summary>
    public static readonly Counter<long> Replayed = Meter.CreateCounter<long>(
        "priceactors.stream.replayed", "{update}", "Updates replayed to resuming clients");

    /// <summary>Resumes that could not be filled and got a reset and snapshot, by <c>reason</c>.</summary>
    public static readonly Counter<long> Resets = Meter.CreateCounter<long>(
        "priceactors.stream.resets", "{reset}", "Resumes answered with a reset and a snapshot");

    /// <summary>Totals since the process started, for the operations view: delivered, conflated, disconnected.</summary>
    public static (long Delivered, long Conflated, long Disconnected) Totals() =>
        (Interlocked.Read(ref delivered), Interlocked.Read(ref conflated), Interlocked.Read(ref disconnected));

    /// <summary>Open connections by transport.</summary>
    public static IReadOnlyDictionary<string, int> OpenConnections() => new Dictionary<string, int>(Open);

    /// <summary><paramref name="count"/> messages were written to a connection of <paramref name="transport"/>.</summary>
    /// <param name="count">Messages.</param>
    /// <param name="transport">The transport.</param>
    public static void CountDelivered(int count, string transport)
    {
        Interlocked.Add(ref delivered, count);
        Delivered.Add(count, new KeyValuePair<string, object?>("transport", transport));
    }

    /// <summary><paramref name="count"/> updates were merged into later ones.</summary>
    /// <param name="count">Updates.</param>
    public static void CountConflated(int count)
    {
        Interlocked.Add(ref conflated, count);
        Conflated.Add(count);
    }

    /// <summary>A connection of <paramref name="transport"/> was disconnected as stuck.</summary>
    /// <param name="transport">The transport.</param>
    public static void CountDisconnected(string transport)
    {
        Interlocked.Increment(ref disconnected);
        SlowClientsDisconnected.Add(1, new KeyValuePair<string, object?>("transport", transport));
    }

    /// <summary>A connection of <paramref name="transport"/> opened.</summary>
    /// <param name="transport">The transport.</param>
    public static void Opened(string transport) => Open.AddOrUpdate(transport, 1, (_, n) => n + 1);

    /// <summary>A connection of <paramref name="transport"/> closed.</summary>
    /// <param name="transport">The transport.</param>
    public static void Closed(string transport) => Open.AddOrUpdate(transport, 0, (_, n) => n - 1);

    /// <summary>Connections the gateway disconnected (stuck, over their queue), by <c>transport</c>.</summary>
    public static readonly Counter<long> SlowClientsDisconnected = Meter.CreateCounter<long>(
        "priceactors.stream.disconnected", "{connection}", "Connections the gateway disconnected as stuck");
}
