using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PriceActors.Gateway;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Streams;

namespace PriceActors.Bench;

/// <summary>
/// The baseline of the subscriber benchmark: the embedded gateway (same feeds, same update streams) plus the naive
/// broadcaster a first version would write: one hub at <c>/naive</c>, a SignalR group per instrument, and
/// <c>Clients.Group(x).SendAsync</c> for every update, not awaited, with no per-connection queue.
/// </summary>
internal static class NaiveGateway
{
    public const string HubPath = "/naive";

    /// <summary>Runs until SIGTERM, as <c>dotnet PriceActors.Bench.dll naive-gateway --urls … [gateway settings]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = PriceGateway.Build(
            args,
            builder =>
            {
                builder.Services.AddSingleton<Broadcaster>();
                builder.Services.AddHostedService(sp => sp.GetRequiredService<Broadcaster>());
            },
            endpoints => endpoints.MapHub<NaiveHub>(HubPath));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Subscribes to every instrument's update stream and sends each update to its group.</summary>
    private sealed class Broadcaster(IUpdateSource updates, IInstrumentCatalog catalog, IHubContext<NaiveHub> hub) : BackgroundService, IUpdateObserver
    {
        private IUpdateSubscription? subscription;

        public void OnPriceUpdated(PriceUpdated update) =>
            _ = hub.Clients.Group(string.Concat(update.Exchange, ":", update.Symbol)).SendAsync("priceUpdated", update);

        public void OnMinuteBarClosed(MinuteBarClosed closed)
        {
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            if (subscription is not null)
            {
                await subscription.DisposeAsync();
            }

            await base.StopAsync(cancellationToken);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            subscription = updates.Subscribe(this);
            foreach (var instrument in catalog.All)
            {
                await subscription.AddAsync(instrument);
            }
        }
    }

    private sealed class NaiveHub : Hub
    {
        public async Task Subscribe(string[] instruments)
        {
            foreach (var instrument in instruments)
            {
                await Groups.AddToGroupAsync(Context.ConnectionId, InstrumentKey.Parse(instrument).Value);
            }
        }
    }
}
