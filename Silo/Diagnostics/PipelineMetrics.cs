using System.Diagnostics.Metrics;
using PriceActors.Grains;

namespace PriceActors.Silo.Diagnostics;

/// <summary>
/// Where a tick's time goes inside a silo, as histograms of the meter <see cref="MeterName"/>: how old a
/// tick is (since the feed received it) when the silo gets it from the broker and when it is durable, how many
/// messages of a partition are unacknowledged when another arrives, how long a feed's round of publishes
/// waits for its confirms, how old an update is (since its last trade's
/// exchange time) when it leaves for the gateways, how long an update message takes from the silo to a
/// gateway, and the size and duration of each group commit. Any <c>System.Diagnostics.Metrics</c> listener reads them
/// (<c>dotnet-counters monitor --counters PriceActors.Silo</c>, OpenTelemetry, the cluster bench); with
/// no listener a record costs one flag check.
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PriceActors.Silo";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Per batch of an instrument in a delivered message: now minus its newest tick's receive time.</summary>
    public static readonly Histogram<double> DeliveryAge = Meter.CreateHistogram<double>(
        "priceactors.ticks.delivery_age", "ms", "Age of a delivered batch's newest tick (since the feed received it) when the silo takes it from the broker");

    /// <summary>Per append: now, just after the commit, minus its newest tick's receive time.</summary>
    public static readonly Histogram<double> DurableAge = Meter.CreateHistogram<double>(
        "priceactors.ticks.durable_age", "ms", "Age of an append's newest tick (since the feed received it) when its group commit completes");

    /// <summary>Per update published: now minus the exchange time of its last trade.</summary>
    public static readonly Histogram<double> UpdatePublishAge = Meter.CreateHistogram<double>(
        "priceactors.updates.publish_age", "ms", "Age of a price update (since its last trade's exchange time) when it is published to the update exchange");

    /// <summary>
    /// Per update message a subscription (a gateway) receives: now minus the time the silo sent it. Across machines
    /// it includes the skew of their clocks; on one machine it is the broker's relay and both clients' socket work.
    /// </summary>
    public static readonly Histogram<double> UpdateTransit = Meter.CreateHistogram<double>(
        "priceactors.updates.transit", "ms", "Time from a silo's send of an update message to its arrival at a gateway's subscription");

    /// <summary>Per round of tick messages a feed publishes: from the first publish to the last confirm.</summary>
    public static readonly Histogram<double> PublishRoundDuration = Meter.CreateHistogram<double>(
        "priceactors.ticks.publish_round", "ms", "Duration of one round of tick messages, published together and waited for until every one is confirmed");

    /// <summary>Per group commit: from the start of its transaction to the end of its commit.</summary>
    public static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "priceactors.store.flush_duration", "ms", "Duration of one group commit of ticks (fence check, COPY, pair_state, commit)");

    /// <summary>Per group commit: the ticks it wrote.</summary>
    public static readonly Histogram<int> FlushTicks = Meter.CreateHistogram<int>(
        "priceactors.store.flush_ticks", "{tick}", "Ticks in one group commit");

    /// <summary>
    /// Per tick message a partition consumer receives: the partition's messages delivered and not acknowledged yet,
    /// this one included. When it reaches <c>RabbitMq:PrefetchPerPartition</c> the broker holds the partition's next
    /// messages back until an ack returns credit, and the wait shows in <see cref="DeliveryAge"/>.
    /// </summary>
    public static readonly Histogram<int> InFlight = Meter.CreateHistogram<int>(
        "priceactors.ticks.in_flight", "{message}", "Tick messages of the partition delivered and not acknowledged yet when one arrives, itself included");

    /// <summary>Records the age of each batch's newest tick, if anyone listens.</summary>
    internal static void RecordDelivered(IReadOnlyList<TickBatch> batches, TimeProvider time)
    {
        if (!DeliveryAge.Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var batch in batches)
        {
            if (!batch.Ticks.IsEmpty)
            {
                DeliveryAge.Record((now - batch.Ticks.Span[^1].ReceiveTime).TotalMilliseconds);
            }
        }
    }
}
