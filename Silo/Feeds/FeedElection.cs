using Microsoft.Extensions.Options;
using PriceActors.Grains.Feeds;
using PriceActors.Runtime;
using PriceActors.Silo.Membership;
using PriceActors.Silo.Postgres;

namespace PriceActors.Silo.Feeds;

/// <summary>
/// Runs each configured exchange feed on exactly one silo of the cluster (the cluster's replacement for
/// the embedded <c>FeedSupervisor</c>). Every <see cref="FeedElectionOptions.RenewInterval"/> it acquires
/// or renews each exchange's lease; it starts the feed when it gains a lease and stops it when another
/// silo holds the lease. On shutdown it stops its feeds, then releases their leases, so another silo takes
/// over within one renew interval.
/// </summary>
/// <remarks>
/// Safety bound: when renewals fail (database unreachable, slow), the feed is stopped
/// <see cref="FeedElectionOptions.StopAfterRenewalSent"/> (lease duration less one renew interval) after the
/// last successful renewal was <em>sent</em>. The database set that lease's expiry to its own now() plus the
/// lease duration, and its now() came after the send, so the feed has stopped at least one renew interval
/// before any other silo can take the lease — provided the StopFeed itself takes less than that, and the two
/// machines' clocks run at the same rate (their offsets do not matter: this side only measures elapsed time).
/// Attempts are abandoned at the stop deadline and the loop wakes at it, so a hanging database call cannot
/// delay the stop. A silo frozen for longer than the lease (GC pause, SIGSTOP) may wake before its loop does: the feed
/// asks <see cref="MayPublish"/> before each batch, which holds only until the same stop bound by the clock, so it
/// publishes nothing new. REVIEW: a batch it handed to the tick stream before the freeze is still sent after it (the
/// synthetic feed waits for each batch's confirm, so one; a feed that pipelines its publishes could have up to
/// <c>RabbitMq:MaxBufferedTicks</c>); fencing ticks by lease epoch in the consumer would close that gap.
/// </remarks>
public sealed partial class FeedElection : BackgroundService, IFeedPermit
{
    private readonly IFeedLeases leases;
    private readonly IActorClient actors;
    private readonly SiloIdentity silo;
    private readonly FeedElectionOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<FeedElection> logger;
    private readonly SchemaMigrator? schema;
    private readonly ElectedExchange[] exchanges;
    private readonly Dictionary<string, ElectedExchange> byName;
    private readonly long permitTicks;
    private volatile FeedElectionView view;
    private long rounds;
    private DateTimeOffset? lastContactAt;

    /// <summary>Creates the election for the exchanges configured in <see cref="SyntheticFeedOptions.Exchanges"/>.</summary>
    /// <param name="leases">The lease table.</param>
    /// <param name="actors">Where the feed actors live.</param>
    /// <param name="silo">This silo.</param>
    /// <param name="options">Election settings.</param>
    /// <param name="feeds">The feeds, for their exchanges.</param>
    /// <param name="time">The clock of the renew timer and of the stop deadline.</param>
    /// <param name="logger">Where gains, losses and failures are logged.</param>
    /// <param name="schema">The silo's schema migrator: the first round waits until the schema is applied.</param>
    public FeedElection(
        IFeedLeases leases,
        IActorClient actors,
        SiloIdentity silo,
        IOptions<FeedElectionOptions> options,
        IOptions<SyntheticFeedOptions> feeds,
        TimeProvider time,
        ILogger<FeedElection> logger,
        SchemaMigrator? schema = null)
    {
        this.leases = leases;
        this.actors = actors;
        this.schema = schema;
        this.silo = silo;
        this.time = time;
        this.logger = logger;
        settings = options.Value;
        exchanges = [.. feeds.Value.Exchanges.Distinct(StringComparer.Ordinal).Select(e => new ElectedExchange(e))];
        byName = exchanges.ToDictionary(e => e.Exchange, StringComparer.Ordinal);
        permitTicks = (long)(settings.StopAfterRenewalSent.TotalSeconds * time.TimestampFrequency);
        view = Snapshot();
    }

    /// <summary>The election as of its last round.</summary>
    public FeedElectionView View => view;

    /// <summary>
    /// True while this silo holds <paramref name="exchange"/>'s lease and less than the stop bound has passed, by this
    /// silo's clock, since its last successful renewal was sent; decided by the clock alone, so it ends on time even
    /// when the election's loop has not run (a frozen process that just woke up).
    /// </summary>
    /// <param name="exchange">The exchange whose feed asks.</param>
    public bool MayPublish(string exchange) => byName.TryGetValue(exchange, out var elected) && time.GetTimestamp() < elected.PermitUntil;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.RenewInterval, time);
        try
        {
            if (schema is not null)
            {
                await schema.WaitUntilAppliedAsync(stoppingToken);
            }

            do
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception error) when (!stoppingToken.IsCancellationRequested)
                {
                    FeedElectionLog.RoundFailed(logger, error, silo.Id, settings.RenewInterval);
                }
            }
            while (await WaitForNextRoundAsync(timer, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; resigning follows.
        }
        finally
        {
            await ResignAsync();
            view = Snapshot();
        }
    }

    private async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        await EnforceDeadlinesAsync(stoppingToken);

        // No attempt may outlast the earliest stop deadline: the loop must be free to stop that feed on time.
        var timeout = TimeUntilEarliestDeadline() is { } untilDeadline && untilDeadline < settings.RenewInterval
            ? untilDeadline
            : settings.RenewInterval;
        using var expiry = new CancellationTokenSource(timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, expiry.Token);
        var outcomes = await Task.WhenAll(exchanges.Select(e => AttemptAsync(e, attempt.Token, stoppingToken)));
        foreach (var outcome in outcomes)
        {
            await ApplyAsync(outcome, stoppingToken);
        }

        await EnforceDeadlinesAsync(stoppingToken);
        Interlocked.Increment(ref rounds);
        view = Snapshot();
    }

    private async Task<Attempt> AttemptAsync(ElectedExchange exchange, CancellationToken attemptToken, CancellationToken stoppingToken)
    {
        var sentAt = time.GetTimestamp();
        try
        {
            // WaitAsync abandons a call that ignores cancellation (Npgsql waits for the server to confirm a cancel).
            var call = leases.TryAcquireOrRenewAsync(exchange.Exchange, silo.Id, attemptToken);
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new Attempt(exchange, await call.WaitAsync(attemptToken), sentAt, null);
        }
        catch (Exception error) when (!stoppingToken.IsCancellationRequested)
        {
            return new Attempt(exchange, null, sentAt, error);
        }
    }

    private async Task ApplyAsync(Attempt outcome, CancellationToken stoppingToken)
    {
        var exchange = outcome.Exchange;
        if (outcome.Claim is not { } claim)
        {
            exchange.Failures++;
            exchange.LastError = outcome.Error;
            FeedElectionLog.AttemptFailed(logger, outcome.Error!, silo.Id, exchange.Exchange, exchange.Failures, settings.RenewInterval);
        }
        else
        {
            RecordContact(exchange);
            var previous = exchange.LastClaim;
            exchange.LastClaim = claim;
            if (claim.Held)
            {
                if (!exchange.Held || previous?.Epoch != claim.Epoch)
                {
                    FeedElectionLog.LeaseGained(logger, silo.Id, exchange.Exchange, claim.Epoch, claim.ExpiresAt);
                    exchange.FeedStarted = false;
                }

                exchange.Held = true;
                exchange.RenewalSentAt = outcome.SentAt;
                exchange.PermitUntil = outcome.SentAt + permitTicks;
            }
            else if (exchange.Held)
            {
                FeedElectionLog.LeaseLost(logger, silo.Id, exchange.Exchange, claim.Owner, claim.Epoch);
                exchange.Held = false;
            }
        }

        await ReconcileFeedAsync(exchange, stoppingToken);
    }

    private void RecordContact(ElectedExchange exchange)
    {
        if (exchange.Failures > 0)
        {
            FeedElectionLog.AttemptRecovered(logger, silo.Id, exchange.Exchange, exchange.Failures);
        }

        exchange.Failures = 0;
        exchange.LastError = null;
        lastContactAt = time.GetUtcNow();
    }

    private async Task EnforceDeadlinesAsync(CancellationToken stoppingToken)
    {
        foreach (var exchange in exchanges.Where(e => e.Held))
        {
            var elapsed = time.GetElapsedTime(exchange.RenewalSentAt);
            if (elapsed >= settings.StopAfterRenewalSent)
            {
                FeedElectionLog.LeaseLapsing(logger, silo.Id, exchange.Exchange, elapsed, settings.LeaseDuration - elapsed);
                exchange.Held = false;
                await ReconcileFeedAsync(exchange, stoppingToken);
            }
        }
    }

    private TimeSpan? TimeUntilEarliestDeadline() =>
        exchanges.Where(e => e.Held)
            .Select(e => (TimeSpan?)(settings.StopAfterRenewalSent - time.GetElapsedTime(e.RenewalSentAt)))
            .Min();

    /// <summary>Waits for the next tick, stopping lapsing feeds on the way; false once the silo stops.</summary>
    private async Task<bool> WaitForNextRoundAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        while (true)
        {
            var untilDeadline = TimeUntilEarliestDeadline();
            if (untilDeadline <= TimeSpan.Zero)
            {
                await EnforceDeadlinesAsync(stoppingToken);
                view = Snapshot();
                continue;
            }

            using var deadline = untilDeadline is { } delay ? new CancellationTokenSource(delay, time) : null;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline?.Token ?? CancellationToken.None);
            try
            {
                return await timer.WaitForNextTickAsync(waiting.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The deadline came first: the next pass stops that feed.
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private FeedElectionView Snapshot()
    {
        var error = exchanges.Select(e => e.LastError).FirstOrDefault(e => e is not null);
        return new FeedElectionView(
            silo.Id,
            Interlocked.Read(ref rounds),
            Interlocked.Read(ref rounds) > 0 && error is null,
            lastContactAt,
            error?.Message,
            [.. exchanges.Select(e => e.ToView())]);
    }

    private readonly record struct Attempt(ElectedExchange Exchange, FeedLeaseClaim? Claim, long SentAt, Exception? Error);
}
