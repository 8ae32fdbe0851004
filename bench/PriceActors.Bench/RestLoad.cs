using System.Diagnostics;
using System.Net;
using PriceActors.Grains;

namespace PriceActors.Bench;

/// <summary>
/// REST load on a gateway: <c>connections</c> loops, each with a request in flight at a time, asking
/// <c>GET /prices/latest/{exchange}/{symbol}</c> for the instruments in turn (each loop from its own offset); after a
/// warm-up, the requests that both started and ended within the measured span count, and <c>cpu</c> accounts for the span.
/// </summary>
internal static class RestLoad
{
    public static async Task<RestResult> RunAsync(
        Uri gateway, IReadOnlyList<InstrumentKey> instruments, int connections, int warmup, int seconds, CpuAccount cpu, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };
        string[] paths = [.. instruments.Select(i => $"/prices/latest/{i.Exchange}/{i.Symbol}")];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var from = started + (warmup * Stopwatch.Frequency);
        var to = from + (seconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, connections)
            .Select(c => Task.Run(() => LoopAsync(http, paths, c * paths.Length / connections, from, to, stop.Token), CancellationToken.None))
            .ToArray();
        await Task.Delay(TimeSpan.FromSeconds(warmup), cancellationToken);
        cpu.Start();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var cpuLine = cpu.Stop();
        await stop.CancelAsync();
        var results = await Task.WhenAll(loops);

        var latencies = results.SelectMany(r => r.Milliseconds).ToArray();
        Array.Sort(latencies);
        var ok = latencies.Length;
        return new RestResult(
            ok / (double)seconds,
            ok == 0 ? double.NaN : Percentiles.Of(latencies, 0.5),
            ok == 0 ? double.NaN : Percentiles.Of(latencies, 0.99),
            ok == 0 ? double.NaN : Percentiles.Of(latencies, 1),
            ok,
            results.Sum(r => r.Failed),
            results.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null),
            cpuLine);
    }

    private static async Task<Loop> LoopAsync(HttpClient http, string[] paths, int offset, long from, long to, CancellationToken cancellationToken)
    {
        var loop = new Loop();
        for (var n = offset; !cancellationToken.IsCancellationRequested; n = (n + 1) % paths.Length)
        {
            var begin = Stopwatch.GetTimestamp();
            string? failure = null;
            try
            {
                using var response = await http.GetAsync(paths[n], HttpCompletionOption.ResponseContentRead, cancellationToken);
                failure = response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} for {paths[n]}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException error)
            {
                failure = error.Message;

                // The gateway is not answering at all: don't spin on refused connections.
                await Task.Delay(10, CancellationToken.None);
            }

            var end = Stopwatch.GetTimestamp();
            if (begin < from || end > to)
            {
                continue;
            }

            if (failure is null)
            {
                loop.Milliseconds.Add(Stopwatch.GetElapsedTime(begin, end).TotalMilliseconds);
            }
            else
            {
                loop.Failed++;
                loop.FirstFailure ??= failure;
            }
        }

        return loop;
    }

    private sealed class Loop
    {
        public List<double> Milliseconds { get; } = new(100_000);

        public long Failed { get; set; }

        public string? FirstFailure { get; set; }
    }
}
