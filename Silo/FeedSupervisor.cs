using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Runtime;

namespace PriceActors.Silo;

/// <summary>
/// Starts the feed of every configured exchange when the silo starts and stops them first on
/// shutdown, so the last batches reach the actors before they deactivate. (In the cluster the
/// silo runs only the feeds it is elected for.)
/// </summary>
internal sealed class FeedSupervisor(IActorClient actors, IOptions<SyntheticFeedOptions> options, ILogger<FeedSupervisor> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var exchange in options.Value.Exchanges)
        {
            await actors.GetActor<IExchangeFeedActor>(exchange).AskAsync(StartFeed.Instance, cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var exchange in options.Value.Exchanges)
        {
            try
            {
                await actors.GetActor<IExchangeFeedActor>(exchange).AskAsync(StopFeed.Instance, cancellationToken);
            }
            catch (Exception error) when (error is ActorUnavailableException or TimeoutException or OperationCanceledException)
            {
                logger.LogWarning(error, "Feed {Exchange} did not stop cleanly", exchange);
            }
        }
    }
}
