extern alias client;

using client::PriceActors.Client;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Client;

/// <summary>The console client's session against the embedded system, over SignalR and gRPC, printing plain lines.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class ClientSessionTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("signalr")]
    [InlineData("grpc")]
    public async Task RunAsync_EitherTransport_PrintsContinuousPricesAndClosedCandles(string transport)
    {
        var settings = Settings(transport, count: 120);
        using var output = new StringWriter();

        var exit = await new ClientSession(settings, Feed(settings), output).RunAsync(CancellationToken.None).WaitAsync(Patience);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.StartsWith("price okx:SOLUSDT ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("price binance:ETHUSDT ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("candle okx:SOLUSDT 1s ", StringComparison.Ordinal) || l.StartsWith("candle binance:ETHUSDT 1s ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("GAP", StringComparison.Ordinal));
        Assert.Equal("# 120 updates, 0 gaps", lines[^1]);
    }

    [Fact]
    public async Task RunAsync_TheConnectionDrops_ReconnectsAndResumesWithoutAGap()
    {
        var settings = Settings("signalr", count: 100);
        using var output = new StringWriter();
        var feed = new DroppingFeed(Feed(settings), dropAfter: 30);

        var exit = await new ClientSession(settings, feed, output).RunAsync(CancellationToken.None).WaitAsync(Patience);

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.True(feed.Connections >= 3, $"{feed.Connections} connections");
        Assert.Contains("# reconnecting to ", text, StringComparison.Ordinal);
        Assert.Contains("resuming 2 instruments", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GAP", text, StringComparison.Ordinal);
        Assert.EndsWith("# 100 updates, 0 gaps", text.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DocumentsTheOptions()
    {
        var (exitCode, text) = await HelpCommand.RunAsync("PriceActors.Client.dll", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--url", "--grpc-url", "--transport", "--pairs", "--interval", "--max-rate", "--plain", "--count" })
        {
            Assert.Contains(option, text, StringComparison.Ordinal);
        }
    }

    private ClientSettings Settings(string transport, int count) =>
        new(system.BaseAddress, system.GrpcAddress, transport, ["okx:SOLUSDT", "binance:ETHUSDT"], "1s", 0, Plain: true, count);

    private static IPriceFeed Feed(ClientSettings settings) => settings.Transport == "grpc" ? new GrpcFeed(settings) : new SignalRFeed(settings);

    /// <summary>A real feed whose connection is cut after so many messages, as a network would.</summary>
    private sealed class DroppingFeed(IPriceFeed inner, int dropAfter) : IPriceFeed
    {
        public int Connections { get; private set; }

        public async Task RunAsync(IReadOnlyDictionary<string, Position> since, Action<StreamEvent> received, CancellationToken cancellationToken)
        {
            Connections++;
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var seen = 0;
            try
            {
                await inner.RunAsync(
                    since,
                    message =>
                    {
                        if (!cut.IsCancellationRequested)
                        {
                            received(message);
                            if (++seen == dropAfter)
                            {
                                cut.Cancel();
                            }
                        }
                    },
                    cut.Token);
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("dropped by the test");
            }
        }
    }
}
