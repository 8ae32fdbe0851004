using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using PriceActors.Grpc;
using PriceActors.Tests.Gateway.Dashboard;
using PriceActors.Tests.Gateway.Hosting;
using PriceActors.Tests.Gateway.Streaming;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Scripts;

/// <summary>
/// <c>scripts/cluster-local.sh</c>: the docker-compose topology on loopback — two Orleans silos on PostgreSQL running
/// the synthetic feeds, two gateways in cluster mode (Orleans clients) and nginx in front of them — started and
/// stopped as an operator does.
/// </summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class ClusterLocalScriptTests(ITestOutputHelper output)
{
    private static readonly string[] Instruments = ["binance:BTCUSDT", "binance:ETHUSDT", "okx:BTCUSDT", "okx:ETHUSDT"];

    private static readonly string[] Settings =
    [
        "--Feeds:Synthetic:Exchanges:0", "binance",
        "--Feeds:Synthetic:Exchanges:1", "okx",
        "--Feeds:Synthetic:Symbols:0", "BTCUSDT",
        "--Feeds:Synthetic:Symbols:1", "ETHUSDT",
        "--Feeds:Synthetic:TicksPerSecond", "20",
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
    ];

    [Fact]
    public async Task Start_TwoSilosTwoGatewaysAndNginx_ClientsOfEveryGatewayReceiveIdenticalUpdates()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await using var cluster = await LocalCluster.StartAsync(2, 2, database.Name, Settings);
        Assert.Equal(2, cluster.Gateways.Count);
        Assert.Equal(2, cluster.Silos.Count);
        using var http = new HttpClient();
        foreach (var process in cluster.Gateways.Concat(cluster.Silos).Append(cluster.Nginx))
        {
            var ready = await http.GetAsync(new Uri(process, "/health/ready"));
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{process}/health/ready: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
        }

        // The Orleans Dashboard through nginx, hosted by a gateway (an Orleans client), lists both silos and our grains.
        var counters = await Eventually.ValueAsync(
            () => http.GetFromJsonAsync<JsonElement>(new Uri(cluster.Nginx, "/dashboard/DashboardCounters")),
            c => c.GetProperty("hosts").GetArrayLength() == 2 && GrainTypes(c).Any(t => t.Contains("PairGrain", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30));
        Assert.Contains(GrainTypes(counters), t => t.Contains("ExchangeFeedGrain", StringComparison.Ordinal));

        // The operations view through nginx, whichever gateway answers: both gateways and both silos report to its grain.
        var ops = await Eventually.ValueAsync(
            () => http.GetFromJsonAsync<JsonElement[][]>(new Uri(cluster.Nginx, "/ops/data")),
            p => p!.Count(r => r[^1].GetProperty("role").GetString() == "gateway") == 2 && p!.Count(r => r[^1].GetProperty("role").GetString() == "silo") == 2
                && SiloStreams(p!) > 0,
            TimeSpan.FromSeconds(30));
        Assert.Equal(
            [.. cluster.Gateways.Select(g => $"gateway {g.ToString().TrimEnd('/')}").Order(StringComparer.Ordinal)],
            ops!.Select(r => r[^1]).Where(r => r.GetProperty("role").GetString() == "gateway").Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.True(SiloStreams(ops!) > 0, "the silos' routers report their streams");

        // The same in Chromium through nginx: /ops lists both gateways, the Orleans Dashboard counts both silos.
        await using (var chromium = await HeadlessChromium.LaunchAsync(TimeSpan.FromSeconds(30)))
        {
            await chromium.NavigateAsync(new Uri(cluster.Nginx, "/ops"));
            var rows = await chromium.WaitForAsync(
                "String(document.querySelectorAll('#gateways tr').length) + '/' + String(document.querySelectorAll('#silos tr').length)", v => v == "2/2", TimeSpan.FromSeconds(30));
            Assert.Equal("2/2", rows);
            await chromium.NavigateAsync(new Uri(cluster.Nginx, "/dashboard/"));
            var overview = await chromium.WaitForAsync("document.body.innerText", text => Regex.IsMatch(text, @"ACTIVE SILOS\s+2\b", RegexOptions.IgnoreCase), TimeSpan.FromSeconds(30));
            Assert.Matches(new Regex(@"ACTIVE SILOS\s+2\b", RegexOptions.IgnoreCase), overview);
        }

        var missing = await http.GetAsync(new Uri(cluster.Nginx, "/prices/latest/binance/NOPEUSDT"));
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (missing.StatusCode, missing.Content.Headers.ContentType?.MediaType));

        // One client on each gateway and one through nginx, all subscribed to the same instruments.
        Uri[] hubs = [.. cluster.Gateways.Select(g => new Uri(g, "/hubs/prices")), new Uri(cluster.Nginx, "/hubs/prices")];
        var clients = await Task.WhenAll(hubs.Select(h => SignalRJsonClient.ConnectAsync(h)));
        try
        {
            await Task.WhenAll(clients.Select(c => c.SubscribeAsync(Instruments)));
            var received = await Task.WhenAll(clients.Select(c => CollectAsync(c, TimeSpan.FromSeconds(8))));

            foreach (var instrument in Instruments)
            {
                var streams = received.Select(r => r.Where(u => u.Instrument == instrument).ToList()).ToArray();
                foreach (var stream in streams)
                {
                    Assert.True(stream.Zip(stream.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), $"{instrument}: sequence not strictly increasing");
                }

                // Clients subscribed a few milliseconds apart: compare the span every one of them saw.
                var from = streams.Max(s => s[0].Sequence);
                var to = streams.Min(s => s[^1].Sequence);
                var common = streams.Select(s => s.Where(u => u.Sequence >= from && u.Sequence <= to).ToList()).ToArray();
                output.WriteLine($"{instrument}: {string.Join(" / ", streams.Select(s => s.Count))} updates, {common[0].Count} in the common span {from}..{to}");
                Assert.True(common[0].Count >= 10, $"{instrument}: only {common[0].Count} updates in the common span");
                Assert.All(common.Skip(1), other => Assert.Equal(common[0], other));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        await ResumeOnTheOtherGatewayAsync(cluster);
        await PageSurvivesItsGatewayKilledAsync(cluster, http);

        var pids = new[] { "silo1", "silo2", "gateway1", "gateway2" }.Select(cluster.ProcessId).ToArray();
        var (code, text) = await cluster.StopAsync();
        Assert.True(code == 0, text);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} still runs after stop"));
        Assert.DoesNotContain("did not stop", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// An event stream of the first gateway resumed on the second with its last id gets exactly the updates it missed; a
    /// WebSocket through nginx resumes the same way.
    /// </summary>
    private async Task ResumeOnTheOtherGatewayAsync(LocalCluster cluster)
    {
        var query = "/prices/stream?instruments=" + string.Join(',', Instruments);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        List<SseEvent> before;
        await using (var first = await SseTestClient.OpenAsync(http, new Uri(cluster.Gateways[0], query).ToString()))
        {
            before = await CollectEventsAsync(first, 20);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var second = await SseTestClient.OpenAsync(http, new Uri(cluster.Gateways[1], query).ToString(), lastEventId: before[^1].Id);
        var after = await CollectEventsAsync(second, 100);

        var updates = before.Concat(after).Select(e => StreamedPrice.From(e.Data)).ToList();
        StreamedPrice.AssertContinuous(updates);
        var replayed = after.Select(e => StreamedPrice.From(e.Data)).Count(u => u.Sequence == u.FirstSequence);
        output.WriteLine($"resumed on the second gateway from {before[^1].Id}: {replayed} of {after.Count} updates were single trades");
        Assert.True(replayed >= 40, $"only {replayed} single-trade updates after a second away");

        var last = updates.Where(u => u.Key == "okx:ETHUSDT").Last();
        await using var socket = await WsTestClient.ConnectAsync(WsTestClient.AddressOf(cluster.Nginx, "/ws"));
        await socket.SendAsync(new
        {
            op = "subscribe",
            instruments = new[] { "okx:ETHUSDT" },
            since = new Dictionary<string, object> { ["okx:ETHUSDT"] = new { epoch = last.Epoch, sequence = last.Sequence } },
        });
        var resumed = new List<StreamedPrice>();
        while (resumed.Count < 20)
        {
            resumed.Add(StreamedPrice.From((await socket.NextAsync("price_update", TimeSpan.FromSeconds(30))).GetProperty("data")));
        }

        StreamedPrice.AssertContinuous([last, .. resumed]);

        // gRPC through nginx's HTTP/2 port, resuming from the WebSocket's last update.
        using var channel = GrpcChannel.ForAddress(cluster.NginxGrpc);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new PriceStream.PriceStreamClient(channel).Subscribe(
            new SubscribeRequest { Instruments = { "okx:ETHUSDT" }, Since = { new Position { Instrument = "okx:ETHUSDT", Epoch = resumed[^1].Epoch, Sequence = resumed[^1].Sequence } } },
            cancellationToken: deadline.Token);
        var viaGrpc = new List<StreamedPrice>();
        while (viaGrpc.Count < 20 && await call.ResponseStream.MoveNext(deadline.Token))
        {
            if (call.ResponseStream.Current.Price is { } p)
            {
                viaGrpc.Add(StreamedPrice.From(p));
            }
        }

        StreamedPrice.AssertContinuous([resumed[^1], .. viaGrpc]);
    }

    /// <summary>
    /// The page through nginx; its gateway is killed (<c>kill -9</c>): nginx sends the page's reconnect to the other
    /// gateway, which resumes every instrument from where the page stopped — the same epoch, so no reset and no gap.
    /// Runs last: the cluster has one gateway left after it.
    /// </summary>
    private async Task PageSurvivesItsGatewayKilledAsync(LocalCluster cluster, HttpClient http)
    {
        const string Instrument = "okx:ETHUSDT";
        await using var chromium = await HeadlessChromium.LaunchAsync(TimeSpan.FromSeconds(30));
        await chromium.NavigateAsync(new Uri(cluster.Nginx, "/#okx:ETHUSDT/5s"));
        var before = await PageState.WaitAsync(chromium, Instrument, s => s is { Status: "live", Sequence: > 0 }, TimeSpan.FromSeconds(30));

        // Which gateway holds the page's connection: the one whose report counts a SignalR connection.
        var ops = await Eventually.ValueAsync(
            () => http.GetFromJsonAsync<JsonElement[][]>(new Uri(cluster.Nginx, "/ops/data")),
            p => p!.Any(r => r[^1].GetProperty("gauges").TryGetProperty("connections.signalr", out var n) && n.GetDouble() >= 1),
            TimeSpan.FromSeconds(30));
        var holder = ops!.Select(r => r[^1]).First(r => r.GetProperty("gauges").TryGetProperty("connections.signalr", out var n) && n.GetDouble() >= 1).GetProperty("id").GetString()!;
        var index = cluster.Gateways.Select((g, i) => (Url: $"gateway {g.ToString().TrimEnd('/')}", Name: $"gateway{i + 1}")).Single(g => g.Url == holder).Name;
        using (var process = System.Diagnostics.Process.GetProcessById(cluster.ProcessId(index)))
        {
            process.Kill();
        }

        var back = await PageState.WaitAsync(
            chromium, Instrument, s => s is { Status: "live", Reconnects: > 0 } && s.Sequence > before.Sequence + 5, TimeSpan.FromSeconds(60));
        output.WriteLine($"page: {before} -> killed {index} -> {back}");

        Assert.Equal(("live", "0", 0), (back.Status, back.Gaps, back.Resets));
    }

    private static async Task<List<SseEvent>> CollectEventsAsync(SseTestClient stream, int count)
    {
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            events.Add(await stream.NextAsync("price", TimeSpan.FromSeconds(30)));
        }

        return events;
    }

    private static async Task<List<Update>> CollectAsync(SignalRJsonClient client, TimeSpan during)
    {
        var updates = new List<Update>();
        using var deadline = new CancellationTokenSource(during);
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(deadline.Token))
            {
                if (message.Target == "priceUpdated")
                {
                    var u = message.Argument;
                    updates.Add(new Update(
                        $"{u.GetProperty("exchange").GetString()}:{u.GetProperty("symbol").GetString()}",
                        u.GetProperty("sequence").GetInt64(),
                        u.GetProperty("epoch").GetInt64(),
                        u.GetProperty("price").GetDecimal()));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Collected long enough.
        }

        return updates;
    }

    private static int SiloStreams(JsonElement[][] processes) =>
        processes.Where(r => r[^1].GetProperty("role").GetString() == "silo").Sum(r => r[^1].GetProperty("streams").GetArrayLength());

    private static IEnumerable<string> GrainTypes(JsonElement counters) =>
        counters.GetProperty("simpleGrainStats").EnumerateArray().Select(g => g.GetProperty("grainType").GetString() ?? "");

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed record Update(string Instrument, long Sequence, long Epoch, decimal Price);
}
