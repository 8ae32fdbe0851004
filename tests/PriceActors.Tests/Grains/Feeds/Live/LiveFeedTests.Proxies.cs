using PriceActors.Grains;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>Live feeds through a real HTTP CONNECT proxy on loopback (<see cref="TestProxy"/>): each policy, rotation, credentials.</summary>
public sealed partial class LiveFeedTests
{
    [Fact]
    public async Task ProxyAlways_Static_EveryConnectionTunnelsThroughIt_AndTradesFlow()
    {
        var format = FakeFormat.Of("kraken");
        await using var server = await FakeExchange.StartAsync(format);
        await using var proxy = TestProxy.Start();
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Always, [proxy.Url], 1));

        await server.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(format).SendAsync(server, 4);
        await run.WaitForTicksAsync(4);

        Assert.Equal([$"127.0.0.1:{server.Url.Port}"], proxy.Tunnels);
        Assert.Equal($"http://127.0.0.1:{proxy.Port}", run.Feed.Connection().Proxy);
        AssertSameTrades(sent, run.Ticks);
    }

    [Fact]
    public async Task ProxyFallback_DirectFails_ThenTheProxyCarriesTheConnection()
    {
        var format = FakeFormat.Of("binance");
        await using var server = await FakeExchange.StartAsync(format);
        await using var proxy = TestProxy.Start();

        // The exchange's address refuses direct connections; only the proxy knows where it really listens.
        var unreachable = FreePort.Next();
        proxy.Hosts[$"127.0.0.1:{unreachable}"] = server.Url.Port;
        await using var run = Run.Start(format, new Uri($"ws://127.0.0.1:{unreachable}"), proxies: new FeedProxySettings(ProxyPolicy.Fallback, [proxy.Url], 1));

        await server.WaitForSubscriptionAsync(1);

        Assert.Equal([$"127.0.0.1:{unreachable}"], proxy.Tunnels);
        Assert.Equal(1, run.Logs.CountOf(3203));
        Assert.Contains(run.Logs.Entries, e => e.EventId == 3201 && e.Message.Contains($"via proxy http://127.0.0.1:{proxy.Port}", StringComparison.Ordinal));
        Assert.Equal($"http://127.0.0.1:{proxy.Port}", run.Feed.Connection().Proxy);
    }

    [Fact]
    public async Task ProxyRotating_EachReconnectTakesTheNextProxy()
    {
        var format = FakeFormat.Of("okx");
        await using var server = await FakeExchange.StartAsync(format);
        await using var first = TestProxy.Start();
        await using var second = TestProxy.Start();
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Always, [first.Url, second.Url], 1));

        await server.WaitForSubscriptionAsync(1);
        server.Drop();
        await server.WaitForSubscriptionAsync(2);
        server.Drop();
        await server.WaitForSubscriptionAsync(3);

        Assert.Equal((2, 1), (first.Tunnels.Count, second.Tunnels.Count));
        Assert.Equal($"http://127.0.0.1:{first.Port}", run.Feed.Connection().Proxy);
    }

    [Theory]
    [InlineData("bybit")]
    [InlineData("ndjson")]
    public async Task ProxyWithCredentials_Authenticates_AndTheCredentialsAppearInNoStatusNorLog(string name)
    {
        const string Password = "pr0xy-p4ss";
        var format = FakeFormat.Of(name);
        await using var server = await FakeExchange.StartAsync(format);
        await using var proxy = TestProxy.Start("feeds", Password);
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Always, [proxy.Url], 1));

        await server.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(format).SendAsync(server, 4);
        await run.WaitForTicksAsync(4);

        AssertSameTrades(sent, run.Ticks);
        Assert.Single(proxy.Tunnels);
        Assert.Equal($"http://127.0.0.1:{proxy.Port}", run.Feed.Connection().Proxy);
        Assert.DoesNotContain(run.Logs.Entries, e => e.Message.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain(Password, run.Feed.Connection().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxySocks5_WithCredentials_CarriesAWebSocketFeed()
    {
        var format = FakeFormat.Of("okx");
        await using var server = await FakeExchange.StartAsync(format);
        await using var socks = TestSocksProxy.Start("feeds", "s0cks-secret");
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Always, [socks.Url], 1));

        await server.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(format).SendAsync(server, 4);
        await run.WaitForTicksAsync(4);

        AssertSameTrades(sent, run.Ticks);
        Assert.Equal([$"127.0.0.1:{server.Url.Port}"], socks.Tunnels);
        Assert.Equal($"socks5://127.0.0.1:{socks.Port}", run.Feed.Connection().Proxy);
        Assert.DoesNotContain(run.Logs.Entries, e => e.Message.Contains("s0cks-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProxySocks5_ForAnNdjsonFeed_IsRefusedWithTheReason_AndRetried()
    {
        var format = FakeFormat.Of("ndjson");
        await using var server = await FakeExchange.StartAsync(format);
        await using var socks = TestSocksProxy.Start();
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Always, [socks.Url], 1));

        await run.Logs.WaitForCountAsync(3203, 2).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, server.Connections);
        Assert.Contains("HTTP CONNECT only", run.Feed.Connection().LastDisconnect, StringComparison.Ordinal);
        Assert.False(run.Feed.Connection().Connected);
    }

    [Fact]
    public async Task NewProxySettings_ReplaceTheOpenConnection_WithoutLosingATrade()
    {
        var format = FakeFormat.Of("coinbase");
        await using var server = await FakeExchange.StartAsync(format);
        await using var proxy = TestProxy.Start();
        await using var run = Run.Start(format, server.Url, proxies: new FeedProxySettings(ProxyPolicy.Disabled, [proxy.Url], 1));
        await server.WaitForSubscriptionAsync(1);
        var tape = new LiveTape(format);
        var sent = await tape.SendAsync(server, 6);
        await run.WaitForTicksAsync(6);

        run.Feed.UseProxies(new FeedProxySettings(ProxyPolicy.Always, [proxy.Url], 2));
        await server.WaitForSubscriptionAsync(2);
        sent.AddRange(await tape.SendAsync(server, 6));
        await run.WaitForTicksAsync(12);

        AssertSameTrades(sent, run.Ticks);
        Assert.Single(proxy.Tunnels);
        Assert.StartsWith("replaced", run.Feed.Connection().LastDisconnect, StringComparison.Ordinal);
        Assert.Equal($"http://127.0.0.1:{proxy.Port}", run.Feed.Connection().Proxy);
    }
}
