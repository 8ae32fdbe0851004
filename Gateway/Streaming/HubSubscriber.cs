using Microsoft.AspNetCore.SignalR;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// A SignalR connection of the <see cref="PriceHub"/>: sends <c>priceUpdated</c> (<see cref="LivePrice"/>),
/// <c>minuteBarClosed</c>, <c>candleClosed</c> and <c>streamReset</c> to its one connection through <see cref="IHubContext{THub}"/>.
/// </summary>
internal sealed class HubSubscriber(
    IHubContext<PriceHub> hub,
    HubCallerContext connection,
    StreamingOptions options,
    TimeProvider time,
    ILogger<HubSubscriber> logger) : StreamSubscriber("signalr", options, time, logger)
{
    public const string PriceUpdatedMethod = "priceUpdated";
    public const string MinuteBarClosedMethod = "minuteBarClosed";
    public const string StreamResetMethod = "streamReset";
    public const string CandleClosedMethod = "candleClosed";

    private readonly IClientProxy client = hub.Clients.Client(connection.ConnectionId);

    protected override async ValueTask WriteAsync(IReadOnlyList<Outbound> batch, CancellationToken cancellationToken)
    {
        foreach (var message in batch)
        {
            var method = message switch
            {
                PriceOut => PriceUpdatedMethod,
                BarOut => MinuteBarClosedMethod,
                ResetOut => StreamResetMethod,
                CandleOut => CandleClosedMethod,
                _ => null,
            };

            if (method is not null)
            {
                await client.SendAsync(method, message.Payload, cancellationToken);
                Progressed();
            }
        }
    }

    protected override void Close(string reason) => connection.Abort();
}
