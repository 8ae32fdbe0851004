using System.Globalization;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Publishes an ownership probe (<see cref="TickCodec.Probe"/>: a tick message with no ticks) into every tick
/// partition's queue every <see cref="PartitionProbeOptions.Interval"/>, so the active consumer of each
/// partition gets a delivery within one interval even when nothing trades, runs the acquisition (fence claim,
/// request server) and acks the probe in its turn. Probes are transient, expire after one interval (so they
/// never pile up in a queue nobody consumes) and go out on a channel of their own without confirms, apart
/// from the tick publisher. Partitions this process already owns are left out: it knows it is active. A
/// round is skipped while the broker is down.
/// </summary>
/// <remarks>
/// REVIEW: each silo probes every partition it does not own, so a cluster of n silos puts about
/// partitions × (n - 1) small messages per interval through the broker. A quorum queue drops an expired
/// message only when it reaches the head, so behind an owner stuck on a full prefetch (store down) probes
/// wait in the queue until it moves again, at most one per silo per interval.
/// </remarks>
internal sealed partial class PartitionProbePublisher(
    RabbitMqConnection connection,
    RabbitMqTickStream stream,
    IOptions<PartitionProbeOptions> options,
    RabbitMqStatistics statistics,
    TimeProvider time,
    ILogger<PartitionProbePublisher> logger) : BackgroundService
{
    private readonly PartitionProbeOptions settings = options.Value;
    private IChannel? channel;
    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            LogDisabled();
            return;
        }

        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Transient,
            Expiration = ((long)settings.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            Type = "probe",
        };
        try
        {
            // Before that the queues may not exist (a probe would be dropped unroutable) and this process is in no line.
            await stream.Subscribed.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(settings.Interval, time);
            do
            {
                await RoundAsync(properties, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the tick consumer hands the partitions over next.
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
    }

    private async Task RoundAsync(BasicProperties properties, CancellationToken stoppingToken)
    {
        if (connection.DownReason is { } down)
        {
            LogSkipped(down);
            return;
        }

        // A publish that cannot go out (a blocked connection) must not hold the next round up.
        using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        round.CancelAfter(settings.Interval);
        var owned = stream.ActivePartitions.ToHashSet();
        try
        {
            var open = await OpenChannelAsync(round.Token);
            for (var p = 0; p < stream.PartitionCount; p++)
            {
                if (!owned.Contains(p))
                {
                    await open.BasicPublishAsync(string.Empty, connection.Names.TickQueue(p), mandatory: false, properties, TickCodec.ProbeIn(connection.Options.TickMessageVersion), round.Token);
                    Interlocked.Increment(ref statistics.ProbesPublished);
                }
            }

            failing = false;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The next round tries again (on a new channel if this one closed); logged once per outage.
            if (!failing)
            {
                LogRoundFailed(e.Message);
            }

            failing = true;
        }
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true } open)
        {
            return open;
        }

        if (channel is not null)
        {
            await channel.DisposeAsync();
            channel = null;
        }

        var opened = await connection.GetAsync(cancellationToken);
        return channel = await opened.CreateChannelAsync(cancellationToken: cancellationToken);
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Ownership probes are disabled (Cluster:Probes:Enabled): an idle partition has no acknowledged owner until it trades")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 7202, Level = LogLevel.Debug, Message = "Ownership probe round skipped: RabbitMQ unavailable ({Reason})")]
    private partial void LogSkipped(string reason);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Information, Message = "Publishing ownership probes failed, next round in one interval: {Reason}")]
    private partial void LogRoundFailed(string reason);
}
