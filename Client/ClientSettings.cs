namespace PriceActors.Client;

/// <summary>What the command line asked for.</summary>
/// <param name="Url">The gateway (SignalR at <c>/hubs/prices</c>).</param>
/// <param name="GrpcUrl">The gateway's gRPC port, for <c>--transport grpc</c>.</param>
/// <param name="Transport"><c>signalr</c> or <c>grpc</c>.</param>
/// <param name="Pairs">The instruments, <c>exchange:SYMBOL</c>.</param>
/// <param name="Interval">Closed candles of this interval (<c>5s</c>, <c>1m</c>…), or <c>none</c>.</param>
/// <param name="MaxRate">At most this many updates a second per instrument; 0: every update.</param>
/// <param name="Plain">One line per message instead of the live table.</param>
/// <param name="Count">Stop after this many price updates; 0: run until Ctrl+C.</param>
public sealed record ClientSettings(
    Uri Url,
    Uri GrpcUrl,
    string Transport,
    IReadOnlyList<string> Pairs,
    string Interval,
    double MaxRate,
    bool Plain,
    int Count);
