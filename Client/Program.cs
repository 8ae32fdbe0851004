using System.CommandLine;
using PriceActors.Client;

var url = UrlOption("--url", "The gateway: SignalR at {url}/hubs/prices.", "http://localhost:5080", "-u");
var grpcUrl = UrlOption("--grpc-url", "The gateway's gRPC port (Streaming:GrpcPort), for --transport grpc.", "http://localhost:5081");
var transport = new Option<string>("--transport", "-t") { Description = "signalr or grpc.", DefaultValueFactory = _ => "signalr" };
transport.AcceptOnlyFromAmong("signalr", "grpc");
var pairs = new Option<string[]>("--pairs", "-p")
{
    Description = "Instruments, exchange:SYMBOL, comma- or space-separated.",
    DefaultValueFactory = _ => ["binance:BTCUSDT", "okx:ETHUSDT"],
    AllowMultipleArgumentsPerToken = true,
};
var interval = new Option<string>("--interval", "-i") { Description = "Closed candles of this interval (1s, 5s, 15s, 30s, 1m, 5m, 15m, 1h…), or none.", DefaultValueFactory = _ => "5s" };
var maxRate = new Option<double>("--max-rate") { Description = "At most this many updates a second per instrument (the latest wins); 0: every update." };
var plain = new Option<bool>("--plain") { Description = "Print one line per message instead of the live table (for logs and pipes)." };
var count = new Option<int>("--count") { Description = "Stop after this many price updates; 0: run until Ctrl+C." };

var root = new RootCommand(
    "PriceActors console client: live prices of a gateway over SignalR or gRPC. It reconnects by itself and resumes from the " +
    "last update it received, so it misses nothing the gateway's window still holds; a gap (an update not continuing the " +
    "previous one) is counted and shown. Exit code 3 when gaps were seen.")
{
    url, grpcUrl, transport, pairs, interval, maxRate, plain, count,
};
root.SetAction(async (result, cancellationToken) =>
{
    var settings = new ClientSettings(
        result.GetValue(url)!,
        result.GetValue(grpcUrl)!,
        result.GetValue(transport)!,
        [.. result.GetValue(pairs)!.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        result.GetValue(interval)!,
        result.GetValue(maxRate),
        result.GetValue(plain) || Console.IsOutputRedirected,
        result.GetValue(count));
    IPriceFeed feed = settings.Transport == "grpc" ? new GrpcFeed(settings) : new SignalRFeed(settings);
    return await new ClientSession(settings, feed, Console.Out).RunAsync(cancellationToken);
});

return await root.Parse(args).InvokeAsync();

// An absolute http or https address; anything else is refused with the form expected.
static Option<Uri> UrlOption(string name, string description, string fallback, params string[] aliases) => new(name, aliases)
{
    Description = description,
    DefaultValueFactory = _ => new Uri(fallback),
    CustomParser = result =>
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
        {
            return address;
        }

        result.AddError($"{name} '{text}' is not valid: use an absolute http:// or https:// address, e.g. {fallback}.");
        return null;
    },
};
