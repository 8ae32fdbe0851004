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

    /// <summary>
    /// The client as built in its own folder: the copy in the test's output runs on the ASP.NET Core framework the tests
    /// load, which a console program does not.
    /// </summary>
    private static string ClientDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(TestServers.RepositoryRoot, "Client", "bin", output.Parent!.Name, output.Name, "PriceActors.Client.dll");
        }
    }

    [Theory]
    [InlineData("signalr")]
    [InlineData("grpc")]
    public async Task Program_TheGatewaysAddressAndACount_PrintsThatManyUpdatesAndExits0(string transport)
    {
        var (exitCode, text, error) = await ProgramCommand.RunAsync(
            ClientDll,
            "--transport", transport, "--url", system.BaseAddress.ToString(), "--grpc-url", system.GrpcAddress.ToString(),
            "--pairs", "okx:SOLUSDT,binance:ETHUSDT", "--interval", "none", "--count", "25", "--plain");

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}{text}");
        Assert.Equal(25, lines.Count(l => l.StartsWith("price ", StringComparison.Ordinal)));
        Assert.Equal("# 25 updates, 0 gaps", lines[^1]);
    }

    [Theory]
    [InlineData("--url", "nope")]
    [InlineData("--url", "ftp://localhost:5080")]
    [InlineData("--grpc-url", "localhost:5081")]
    public async Task Program_AnAddressThatIsNotHttp_ExitsWithTheFormExpected(string option, string address)
    {
        var (exitCode, _, error) = await ProgramCommand.RunAsync(ClientDll, option, address, "--count", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains($"{option} '{address}' is not valid: use an absolute http:// or https:// address", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DocumentsTheOptions()
    {
        var (exitCode, text, _) = await ProgramCommand.RunAsync(ClientDll, "--help");

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
