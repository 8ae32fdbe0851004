using PriceActors.Grains;
using PriceActors.Runtime;

namespace PriceActors.Silo.Feeds;

/// <summary>Starting and stopping the feeds the election decided on, and resigning at shutdown.</summary>
public sealed partial class FeedElection
{
    private async Task ReconcileFeedAsync(ElectedExchange exchange, CancellationToken cancellationToken)
    {
        if (exchange.Held && !exchange.FeedStarted)
        {
            await StartFeedAsync(exchange, cancellationToken);
        }
        else if (!exchange.Held && exchange.FeedMayRun)
        {
            await StopFeedAsync(exchange, cancellationToken);
        }
    }

    private async Task StartFeedAsync(ElectedExchange exchange, CancellationToken cancellationToken)
    {
        // Set before asking: a request that times out may still have started the feed, which must then be stopped.
        exchange.FeedMayRun = true;
        try
        {
            await actors.GetActor<IExchangeFeedActor>(exchange.Exchange).AskAsync(StartFeed.Instance, cancellationToken);
            exchange.FeedStarted = true;
            FeedElectionLog.FeedStarted(logger, silo.Id, exchange.Exchange, exchange.LastClaim?.Epoch ?? 0);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            FeedElectionLog.StartFailed(logger, error, silo.Id, exchange.Exchange);
        }
    }

    private async Task<bool> StopFeedAsync(ElectedExchange exchange, CancellationToken cancellationToken)
    {
        try
        {
            await actors.GetActor<IExchangeFeedActor>(exchange.Exchange).AskAsync(StopFeed.Instance, cancellationToken);
            exchange.FeedMayRun = false;
            exchange.FeedStarted = false;
            FeedElectionLog.FeedStopped(logger, silo.Id, exchange.Exchange);
            return true;
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            FeedElectionLog.StopFailed(logger, error, silo.Id, exchange.Exchange);
            return false;
        }
    }

    /// <summary>
    /// Stops every feed this silo may run, then releases the leases of the feeds known to be stopped (all
    /// configured exchanges: an abandoned attempt may have won a lease unseen; the release only touches
    /// leases this silo holds). A feed that did not stop keeps its lease until it expires.
    /// </summary>
    private async Task ResignAsync()
    {
        var stopped = new List<ElectedExchange>();
        foreach (var exchange in exchanges)
        {
            exchange.Held = false;
            if (!exchange.FeedMayRun || await StopFeedAsync(exchange, CancellationToken.None))
            {
                stopped.Add(exchange);
            }
        }

        await Task.WhenAll(stopped.Select(ReleaseAsync));
    }

    private async Task ReleaseAsync(ElectedExchange exchange)
    {
        using var timeout = new CancellationTokenSource(settings.RenewInterval, time);
        try
        {
            if (await leases.ReleaseAsync(exchange.Exchange, silo.Id, timeout.Token).WaitAsync(timeout.Token))
            {
                FeedElectionLog.Released(logger, silo.Id, exchange.Exchange);
            }
        }
        catch (Exception error)
        {
            FeedElectionLog.ReleaseFailed(logger, error, silo.Id, exchange.Exchange, settings.LeaseDuration);
        }
    }
}
