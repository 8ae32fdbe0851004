using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Silo.Membership;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Hands partitions this silo owns beyond its fair share over to the other live silos. The broker's single
/// active consumer gives every partition to the first silo that subscribed and never balances, so every
/// <see cref="PartitionBalancerOptions.Interval"/> this silo reads the live silos from the membership table
/// and, when <see cref="PartitionBalancing.Plan"/> says so, releases a few partitions gracefully (the batch in
/// flight is finished and acknowledged, the rest goes in order to the next consumer in line) and subscribes
/// to each again after <see cref="PartitionBalancerOptions.ResubscribeDelay"/>, at the back of its line, as a
/// standby for fail-over. Stops before the tick consumer, so nothing is resubscribed while the silo hands
/// every partition over.
/// </summary>
/// <remarks>
/// REVIEW: a hand-over goes to the next silo in the partition's line, not to the one that needs it, so a
/// partition can pass through up to (silos - 1) silos before it reaches a joiner (each hop a graceful
/// hand-over of a few ms plus the pairs' reload from PostgreSQL). Ownership is learned on a partition's first
/// delivery; ownership probes give idle partitions one within Cluster:Probes:Interval, so they are counted too.
/// </remarks>
internal sealed partial class PartitionBalancer(
    RabbitMqTickStream stream,
    PartitionOwnership ownership,
    MembershipTable membership,
    SiloIdentity silo,
    IOptions<PartitionBalancerOptions> options,
    TimeProvider time,
    ILogger<PartitionBalancer> logger) : BackgroundService
{
    private readonly PartitionBalancerOptions settings = options.Value;
    private readonly Dictionary<int, long> acquired = [];
    private readonly HashSet<int> toResume = [];
    private long round;
    private long lastReleaseTimestamp;
    private string lastReason = string.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            LogDisabled(silo.Id);
            return;
        }

        try
        {
            // A silo not subscribed yet owns nothing and is in no partition's line: nothing to decide.
            await stream.Subscribed.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(settings.Interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RoundAsync(stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // An unexpected failure must not stop the host (a failed BackgroundService does): balance next round.
                    LogRoundFailed(error, silo.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the tick consumer hands every partition over next.
        }
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        round++;
        await ResumeAsync(stoppingToken);
        var owned = TrackAcquisitions();
        IReadOnlyList<SiloRecord> live;
        try
        {
            live = await membership.ListLiveAsync(settings.LiveWithin, stoppingToken);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException || (error is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            LogMembershipFailed(error, silo.Id);
            return;
        }

        var cooledDown = lastReleaseTimestamp == 0 || time.GetElapsedTime(lastReleaseTimestamp) >= settings.CeilingReleaseCooldown;
        var plan = PartitionBalancing.Plan(
            stream.PartitionCount,
            silo.Id,
            owned.Count,
            [.. live.Select(s => new SiloShare(s.SiloId, s.Partitions.Count))],
            cooledDown,
            settings.MaxReleasesPerRound);
        if (plan.Release == 0)
        {
            if (plan.Reason != lastReason)
            {
                LogNoHandOver(silo.Id, owned.Count, plan.LiveSilos, plan.Floor, plan.Ceiling, plan.Reason);
                lastReason = plan.Reason;
            }

            return;
        }

        lastReason = string.Empty;
        var partitions = PartitionBalancing.Choose(owned, plan.Release);
        LogHandingOver(silo.Id, string.Join(',', partitions), owned.Count, plan.LiveSilos, plan.Floor, plan.Ceiling, plan.Reason, Shares(live));
        lastReleaseTimestamp = time.GetTimestamp();
        foreach (var partition in partitions)
        {
            toResume.Add(partition);
            await stream.ReleasePartitionAsync(partition);
            acquired.Remove(partition);
        }

        await Task.Delay(settings.ResubscribeDelay, time, stoppingToken);
        await ResumeAsync(stoppingToken);
    }

    /// <summary>Notes when each owned partition was first seen owned; returns the owned ones with that stamp.</summary>
    private Dictionary<int, long> TrackAcquisitions()
    {
        var now = ownership.Owned;
        foreach (var gone in acquired.Keys.Where(p => !now.ContainsKey(p)).ToList())
        {
            acquired.Remove(gone);
        }

        foreach (var partition in now.Keys)
        {
            acquired.TryAdd(partition, round);
        }

        return new Dictionary<int, long>(acquired);
    }

    /// <summary>Subscribes again to the partitions handed over; a failure (broker down) is retried next round.</summary>
    private async Task ResumeAsync(CancellationToken stoppingToken)
    {
        foreach (var partition in toResume.ToList())
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                await stream.ResumePartitionAsync(partition);
                toResume.Remove(partition);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogResumeFailed(error, silo.Id, partition);
            }
        }
    }

    private static string Shares(IEnumerable<SiloRecord> live) =>
        string.Join("; ", live.Select(s => $"{s.SiloId}={s.Partitions.Count}"));

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Silo {SiloId} hands partitions {Partitions} over: owns {Owned}, {LiveSilos} live silos, fair share {Floor}..{Ceiling}; {Reason}; reported shares: {Shares}")]
    private partial void LogHandingOver(string siloId, string partitions, int owned, int liveSilos, int floor, int ceiling, string reason, string shares);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Silo {SiloId} keeps its {Owned} partitions ({LiveSilos} live silos, fair share {Floor}..{Ceiling}): {Reason}")]
    private partial void LogNoHandOver(string siloId, int owned, int liveSilos, int floor, int ceiling, string reason);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Silo {SiloId} could not read the membership table to balance partitions; trying again next round")]
    private partial void LogMembershipFailed(Exception error, string siloId);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Silo {SiloId} could not subscribe to partition {Partition} again after handing it over; retrying next round")]
    private partial void LogResumeFailed(Exception error, string siloId, int partition);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Error, Message = "Silo {SiloId}: a partition balancing round failed; trying again next round")]
    private partial void LogRoundFailed(Exception error, string siloId);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Silo {SiloId} does not balance partitions (Cluster:Balancing:Enabled is false)")]
    private partial void LogDisabled(string siloId);
}
