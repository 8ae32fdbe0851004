using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Cluster;
using PriceActors.Silo.Diagnostics;
using PriceActors.Silo.Postgres;
using PriceActors.Silo.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace PriceActors.Bench;

/// <summary>
/// Cluster ingest on the real servers (scripts/servers.sh), in one run of this tool: first tick → gateway
/// latency through a cluster silo at a paced rate, with the feed and the gateway each in a child process;
/// then the raw broker rate (publish with confirms → consume → ack, no actors, no database); then the same
/// saturating ticks through the silo (broker → PairActor → PostgreSQL group commit → ack). The latency run
/// goes first so that neither saturating run's aftermath (deleted queues, a broker catching up) is in it.
/// </summary>
internal static class ClusterBenchmark
{
    // Every publisher of the run (raw, latency feed, ingest feed) packs this many ticks per message.
    internal static readonly int TicksPerMessage = int.TryParse(Environment.GetEnvironmentVariable("BENCH_TICKS_PER_MESSAGE"), out var t) ? t : new RabbitMqOptions().TicksPerMessage;

    internal static readonly int Partitions = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PARTITIONS"), out var p) ? p : new StreamOptions().PartitionCount;

    /// <summary>Messages in flight per partition, for the silo and the raw run alike (<c>BENCH_PREFETCH</c>; default: the option's).</summary>
    internal static readonly ushort Prefetch = ushort.TryParse(Environment.GetEnvironmentVariable("BENCH_PREFETCH"), out var f) ? f : new RabbitMqOptions().PrefetchPerPartition;

    /// <summary>
    /// The latency run's recorded span (<c>BENCH_LATENCY_SECONDS</c>, default 60). A p99 needs a span much longer than
    /// the stalls it is to see through: in 10 s one 100 ms stall of the broker is 1 % of the ticks by itself.
    /// </summary>
    internal static readonly int LatencySeconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LATENCY_SECONDS"), out var l) ? l : 60;

    /// <summary>The latency run's span is also reported in slices of this many seconds, each with its own p99.</summary>
    internal const int LatencySliceSeconds = 10;

    private const int Instruments = 200;
    private const int BatchSize = 50;

    // Ticks the saturating publisher may be ahead of the consumers: 10 rounds of every instrument's batch.
    private static readonly long Window = long.TryParse(Environment.GetEnvironmentVariable("BENCH_WINDOW"), out var w) ? w : 100_000;

    // The silo's (and the relay's) update flush interval, BENCH_UPDATE_FLUSH.
    private static readonly string UpdateFlush = Environment.GetEnvironmentVariable("BENCH_UPDATE_FLUSH") ?? "00:00:00.005";

    // BENCH_RELAY=1: the latency run alone, with a relay in the silo's place (ThroughRelayAsync).
    private static readonly bool Relay = Environment.GetEnvironmentVariable("BENCH_RELAY") == "1";

    private static long[]? PacedTrades { get; set; }

    public static async Task<int> RunAsync(int seconds, int pacedRate)
    {
        var postgres = Environment.GetEnvironmentVariable("PRICEACTORS_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("PRICEACTORS_RABBITMQ");
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(rabbit))
        {
            Console.Error.WriteLine("cluster: start the servers first: eval \"$(scripts/servers.sh start)\"");
            return 2;
        }

        var instruments = CreateInstruments();
        Console.WriteLine($"cluster: {Instruments} instruments, {Partitions} partitions (prefetch {Prefetch}), {BatchSize} ticks per batch, up to {TicksPerMessage} ticks per message, {Environment.ProcessorCount} cores");

        // BENCH_LATENCY_ONLY=1: the latency run alone (experiments with the knobs; no ingest figure).
        var latencyOnly = Relay || Environment.GetEnvironmentVariable("BENCH_LATENCY_ONLY") == "1";
        var raw = double.NaN;
        async Task MeasureRawAsync()
        {
            raw = await RawBrokerAsync(rabbit, instruments, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  raw broker (publish+confirm -> consume -> ack):   {raw:N0} ticks/s"));
        }

        Console.WriteLine("servers: " + await DurabilityAsync(postgres));
        var database = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(postgres, $"CREATE DATABASE {database}");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
            var (ingest, latency) = await ThroughSiloAsync(connection, rabbit, instruments, seconds, pacedRate, latencyOnly ? null : MeasureRawAsync);
            if (!latencyOnly)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cluster ingest (broker -> PairActor -> PostgreSQL -> ack): {ingest:N0} ticks/s = {ingest / raw:P0} of raw"));
            }

            var (ticks, updates) = (latency.Ticks, latency.Updates);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tick -> gateway latency at {latency.Offered:N0} ticks/s offered, every tick: p50 {ticks.P50:F1} ms, p99 {ticks.P99:F1} ms, max {ticks.Max:F1} ms ({ticks.Count:N0} of {latency.Published:N0} ticks published in {LatencySeconds} s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    p99 of each {LatencySliceSeconds} s: {string.Join(", ", latency.SliceP99.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} ms ({latency.SliceP99.Count(p => p > 50)} of {latency.SliceP99.Length} over 50 ms)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    each update by its newest tick (the former measure): p50 {updates.P50:F1} ms, p99 {updates.P99:F1} ms, max {updates.Max:F1} ms ({updates.Count:N0} updates)"));
        }
        finally
        {
            await ExecuteAsync(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }

        return 0;
    }

    private static async Task<double> RawBrokerAsync(string rabbit, InstrumentKey[] instruments, int seconds)
    {
        var options = Options.Create(new RabbitMqOptions { Uri = new Uri(rabbit), Prefix = "bench-raw-" + Guid.NewGuid().ToString("N")[..8], TicksPerMessage = TicksPerMessage, PrefetchPerPartition = Prefetch });
        await using var connection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var stream = TickStream(connection);
        long consumed = 0;
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync((batch, _) => { Interlocked.Add(ref consumed, batch.Ticks.Length); return ValueTask.CompletedTask; }, stop.Token);
        await stream.Subscribed;
        var rate = await MeasureAsync(stream, instruments, seconds, () => Task.FromResult(Interlocked.Read(ref consumed)));
        await stop.CancelAsync();
        await consuming;
        await DeleteTopologyAsync(rabbit, options.Value.Prefix);
        return rate;
    }

    /// <summary>A tick stream of the run's partitions on <paramref name="connection"/>, as every publisher and consumer of the bench uses.</summary>
    internal static RabbitMqTickStream TickStream(RabbitMqConnection connection) => new(
        connection, Options.Create(new StreamOptions { PartitionCount = Partitions }), NoPartitionLifecycle.Instance,
        new RabbitMqStatistics(), NullLogger<RabbitMqTickStream>.Instance, TimeProvider.System);

    internal static InstrumentKey[] CreateInstruments() => [.. Enumerable.Range(1, Instruments).Select(i => InstrumentKey.Create("bench", $"SYM{i}USDT"))];

    internal static TickBatch Batch(InstrumentKey instrument, ref long trade, DateTimeOffset now, int size = BatchSize)
    {
        var ticks = new Tick[size];
        for (var i = 0; i < size; i++)
        {
            trade++;
            ticks[i] = new Tick(instrument, 100m + (trade % 100 * 0.01m), 1m, trade, now, now);
        }

        return new TickBatch(instrument, ticks);
    }

    private static async Task<(double Ingest, LatencyResult Latency)> ThroughSiloAsync(
        string postgres, string rabbit, InstrumentKey[] instruments, int seconds, int pacedRate, Func<Task>? rawRun)
    {
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        if (Relay)
        {
            return (double.NaN, await ThroughRelayAsync(rabbit, prefix, pacedRate));
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("BENCH_FLUSH_LOG") == "1")
        {
            // One line per group-commit flush with the time of each statement (event 5008).
            builder.Logging.AddFilter("PriceActors.Silo.Postgres", LogLevel.Debug);
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = postgres,
            ["RabbitMq:Uri"] = rabbit,
            ["RabbitMq:Prefix"] = prefix,
            ["Streams:PartitionCount"] = Partitions.ToString(CultureInfo.InvariantCulture),
            ["Cluster:RunFeeds"] = "false",
            ["Postgres:FlushInterval"] = Environment.GetEnvironmentVariable("BENCH_FLUSH") ?? "00:00:00.005",
            ["RabbitMq:PrefetchPerPartition"] = Prefetch.ToString(CultureInfo.InvariantCulture),
            ["Postgres:Writers"] = Environment.GetEnvironmentVariable("BENCH_WRITERS") ?? "1",
            ["Postgres:TickRowLayout"] = Environment.GetEnvironmentVariable("BENCH_TICK_ROWS") ?? nameof(TickRowLayout.Packed),
            ["RabbitMq:UpdateFlushInterval"] = UpdateFlush,
            ["RabbitMq:BatchesInFlightPerInstrument"] = Environment.GetEnvironmentVariable("BENCH_IN_FLIGHT") ?? new RabbitMqOptions().BatchesInFlightPerInstrument.ToString(CultureInfo.InvariantCulture),
        });
        builder.Services.AddClusterSilo(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var silo = host.Services.GetRequiredService<RabbitMqTickStream>();
        await silo.Subscribed;

        // Latency first, at a paced rate, on a quiet broker and database: before a saturating run leaves a backlog in
        // the queues, the broker deleting the raw run's queues or autovacuum cleaning up after a saturating run.
        var latency = await LatencyRunAsync(postgres, prefix, pacedRate, LatencySeconds);
        PacedTrades = latency.Trades;

        // The ingest run's feed: its own connection, as a separate process would have.
        var options = Options.Create(new RabbitMqOptions { Uri = new Uri(rabbit), Prefix = prefix, TicksPerMessage = TicksPerMessage });
        await using var connection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        var ingest = double.NaN;
        if (rawRun is not null)
        {
            // The latency run's rows are vacuumed and analysed now, so that autovacuum doing it later lands in neither
            // saturating run (in one run it landed in the raw run, lowering the rate the ingest is compared with).
            await ExecuteAsync(postgres, "VACUUM (ANALYZE)");
            await rawRun();
            await using var feed = TickStream(connection);
            ingest = await MeasureAsync(feed, instruments, seconds, () => DurableTicksAsync(postgres));
        }

        await host.StopAsync();
        await DeleteTopologyAsync(rabbit, prefix);
        return (ingest, latency);
    }

    /// <summary>
    /// The latency run with the silo replaced by a relay (<c>BENCH_RELAY=1</c>): the same feed and gateway processes, the
    /// same partition queues, consumer, update stream and measure, but no actor and no database. Each batch the
    /// consumer delivers moves its instrument's count of ticks on and is published at once as a <see cref="PriceUpdated"/>
    /// with that count as its sequence, as a pair does, and its message is acknowledged once handled, not once durable.
    /// What is left is the broker's part of tick → gateway on this machine at this rate: the floor under the silo's figure.
    /// </summary>
    private static async Task<LatencyResult> ThroughRelayAsync(string rabbit, string prefix, int pacedRate)
    {
        var options = Options.Create(new RabbitMqOptions
        {
            Uri = new Uri(rabbit),
            Prefix = prefix,
            TicksPerMessage = TicksPerMessage,
            PrefetchPerPartition = Prefetch,
            UpdateFlushInterval = TimeSpan.Parse(UpdateFlush, CultureInfo.InvariantCulture),
        });
        await using var connection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var updates = new RabbitMqUpdateStream(connection, new RabbitMqStatistics(), NullLogger<RabbitMqUpdateStream>.Instance, TimeProvider.System);
        await using var stream = TickStream(connection);
        var sequences = new ConcurrentDictionary<InstrumentKey, long>();
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(
            (batch, _) =>
            {
                // A partition hands an instrument's batches over one at a time, in order (a pair's turn), so the count is exact.
                var sequence = sequences.AddOrUpdate(batch.Instrument, batch.Ticks.Length, (_, n) => n + batch.Ticks.Length);
                var last = batch.Ticks.Span[^1];
                return updates.PublishAsync(new PriceUpdated(batch.Instrument.Exchange, batch.Instrument.Symbol, last.Price, last.Quantity, last.ExchangeTime, sequence, 1));
            },
            stop.Token);
        await stream.Subscribed;
        Console.WriteLine("  relay instead of the silo (BENCH_RELAY=1): partition consumer -> update stream, no actor, no database; \"silo process\" below is the relay's");
        var latency = await LatencyRunAsync(postgres: null, prefix, pacedRate, LatencySeconds);
        await stop.CancelAsync();
        await consuming;
        await DeleteTopologyAsync(rabbit, prefix);
        return latency;
    }

    /// <summary>
    /// Runs <see cref="LatencyClient"/>'s gateway and feed, each in a child process, against this process's silo,
    /// and records the silo's <see cref="PipelineMetrics"/> while the gateway records. <paramref name="postgres"/>: the silo's
    /// database, where instruments the gateway reports short are looked up; null for the relay, which has none.
    /// </summary>
    private static async Task<LatencyResult> LatencyRunAsync(string? postgres, string prefix, int rate, int seconds)
    {
        using var stages = new StageRecorder();
        using var allocations = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
        // At most one update per instrument and round, i.e. rate / TicksPerRound a second, over the warm-up, the span and the end's waits.
        var expectedUpdates = (long)(rate / (double)LatencyClient.TicksPerRound * (LatencyClient.WarmUp.TotalSeconds + seconds + 15));
        using var gateway = StartChild(redirectInput: true, "cluster-gateway", prefix, Math.Min(expectedUpdates, 64_000_000).ToString(CultureInfo.InvariantCulture));
        if (await gateway.StandardOutput.ReadLineAsync() != "READY")
        {
            throw new InvalidOperationException("the latency run's gateway did not start");
        }

        using var scheduler = SchedulerProbe.Start();
        using var feed = StartChild(redirectInput: false, "cluster-feed", prefix, rate.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture));
        using var pool = new ThreadPoolSampler();
        using var disk = new DiskProbe();
        using var wal = new BrokerWalWatch();
        var cpu = new CpuAccount(("silo process", Environment.ProcessId), ("feed", feed.Id), ("gateway", gateway.Id), ("scheduler probe", scheduler.Id));
        var (pauses, gen0, gen1, gen2) = (TimeSpan.Zero, 0, 0, 0);
        double? offered = null;
        long[]? trades = null;
        while (await feed.StandardOutput.ReadLineAsync() is { } line)
        {
            switch (line.Split(' ', 2)[0])
            {
                case "RECORDING":
                    (pauses, gen0, gen1, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                    await gateway.StandardInput.WriteLineAsync("START");
                    await gateway.StandardInput.FlushAsync();
                    stages.Start();
                    allocations?.Start();
                    pool.Start();
                    disk.Start();
                    wal.Start();
                    await scheduler.BeginAsync();
                    cpu.Start();
                    break;
                case "STOPPED":
                    var spent = cpu.Stop();
                    await gateway.StandardInput.WriteLineAsync("STOP");
                    await gateway.StandardInput.FlushAsync();
                    stages.Stop();
                    allocations?.Stop();
                    Console.WriteLine("  latency run, silo process thread pool: " + pool.Stop());
                    Console.WriteLine("  latency run, disk: " + disk.Stop());
                    Console.WriteLine("  latency run, broker: " + wal.Stop());
                    foreach (var probe in await scheduler.StopAsync())
                    {
                        Console.WriteLine("  latency run, scheduler: " + probe);
                    }

                    Console.WriteLine("  latency run, CPU: " + spent);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency run, silo process: GC paused {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:F0} ms in {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} gen0/1/2 collections; heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB, working set {Environment.WorkingSet / 1048576.0:F0} MiB; inside the silo (PipelineMetrics, ms):"));
                    foreach (var stage in stages.Report())
                    {
                        Console.WriteLine("    " + stage);
                    }

                    // Who had the cores while the worst stalls of the database and the broker lasted (each measure ends when recorded).
                    foreach (var (what, name) in new[] { ("longest flush", "priceactors.store.flush_duration"), ("oldest delivery", "priceactors.ticks.delivery_age") })
                    {
                        if (stages.Worst(name) is (var milliseconds, var stamp))
                        {
                            var began = stamp - (long)(milliseconds * Stopwatch.Frequency / 1000);
                            var at = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(stamp);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency run, CPU in the seconds around the {what} ({milliseconds:F1} ms, ended {at:HH:mm:ss.fff} UTC): {cpu.During(began, stamp)}{wal.Between(began, stamp)}"));
                        }
                    }

                    foreach (var type in allocations?.Report(top: 15) ?? [])
                    {
                        Console.WriteLine("    allocated: " + type);
                    }

                    break;
                case "OFFERED":
                    offered = double.Parse(line[8..], CultureInfo.InvariantCulture);
                    break;
                case "STAMPS":
                    await gateway.StandardInput.WriteLineAsync(line);
                    break;
                case "TRADES":
                    trades = [.. line[7..].Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture))];
                    break;
                default:
                    Console.WriteLine("  feed: " + line);
                    break;
            }
        }

        // A feed that ended without STOPPED (it failed) leaves the gateway waiting: end of input ends it too.
        gateway.StandardInput.Close();
        var results = new Dictionary<string, string[]>();
        while (await gateway.StandardOutput.ReadLineAsync() is { } line)
        {
            var fields = line.Split(' ');
            if (fields[0] is "UPDATES" or "TICKS" or "SLICES")
            {
                results[fields[0]] = fields;
            }
            else if (fields[0] == "SHORT")
            {
                Console.WriteLine(postgres is null
                    ? $"  gateway: still short (expected {fields[1]}): {fields[2]}"
                    : "  gateway: still short, with what the pair committed: " + await ShortAgainstPairStateAsync(postgres, long.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]));
            }
            else
            {
                Console.WriteLine("  gateway: " + line);
            }
        }

        await Task.WhenAll(feed.WaitForExitAsync(), gateway.WaitForExitAsync());
        if (feed.ExitCode != 0 || gateway.ExitCode != 0 || results.Count != 3 || offered is null || trades is null)
        {
            throw new InvalidOperationException($"the latency run failed (feed exit code {feed.ExitCode}, gateway exit code {gateway.ExitCode})");
        }

        static double Number(string field) => double.Parse(field, CultureInfo.InvariantCulture);
        static Percentile Of(string[] fields) => new(Number(fields[1]), Number(fields[2]), Number(fields[3]), (long)Number(fields[4]));
        double[] slices = [.. results["SLICES"][1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Number)];
        return new LatencyResult(offered.Value, Of(results["TICKS"]), (long)Number(results["TICKS"][5]), slices, Of(results["UPDATES"]), trades);
    }

    internal static Process StartChild(bool redirectInput, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardInput = redirectInput };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ClusterBenchmark).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {arguments[0]}");
    }

    /// <summary>
    /// Publishes as fast as confirms allow, but never more than <see cref="Window"/> ticks ahead of what the
    /// counter has seen arrive (closed loop: a feed that outruns the consumers only grows the broker's
    /// backlog, and the broker's CPU spent on that backlog is taken from the consumers on a shared machine).
    /// The rate is what the counter saw move over the measured seconds, after a 2 s warm-up.
    /// </summary>
    private static async Task<double> MeasureAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, int seconds, Func<Task<long>> counter)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));
        var trade = PacedTrades?.ToArray() ?? new long[instruments.Length];
        var baseline = await counter();
        var seen = baseline;
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Volatile.Write(ref seen, await counter());
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        });
        long published = 0;
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (published - (Volatile.Read(ref seen) - baseline) > Window)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(1));
                    continue;
                }

                var now = DateTimeOffset.UtcNow;
                await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref trade[n], now), CancellationToken.None).AsTask()));
                published += instruments.Length * BatchSize;
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (start, clock, cpu, allocated) = (await counter(), Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes());
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var ticks = await counter() - start;
        var rate = ticks / clock.Elapsed.TotalSeconds;
        var (cpuPerTick, bytesPerTick) = ((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / ticks, (GC.GetTotalAllocatedBytes() - allocated) / (double)ticks);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    this process (publisher and consumers): {cpuPerTick:F2} µs CPU and {bytesPerTick:F0} bytes allocated per tick counted"));
        await Task.WhenAll(publishing, sampling);
        return rate;
    }

    /// <summary>
    /// Deletes the run's tick and request queues and its exchange: whatever backlog a saturating run left must not stay on the broker.
    /// A failed deletion is reported and skipped, not fatal: RabbitMQ 3.10 can close the channel or the whole connection with
    /// INTERNAL_ERROR when a quorum queue is deleted right after a saturating run (its Ra segment writer crashes on the deleted
    /// queue's files; seen twice). The next deletion goes on a new connection.
    /// </summary>
    private static async Task DeleteTopologyAsync(string rabbit, string prefix)
    {
        var names = new RabbitMqNames(prefix);
        var factory = new ConnectionFactory { Uri = new Uri(rabbit), AutomaticRecoveryEnabled = false };
        var deletions = Enumerable.Range(0, Partitions)
            .SelectMany(p => new[] { names.TickQueue(p), names.RequestQueue(p) })
            .Select(queue => (Name: queue, Delete: (Func<IChannel, Task>)(channel => channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false))))
            .Append((Name: names.UpdateExchange, Delete: channel => channel.ExchangeDeleteAsync(names.UpdateExchange, ifUnused: false)));
        var left = new List<string>();
        IConnection? admin = null;
        IChannel? channel = null;
        foreach (var (name, delete) in deletions)
        {
            try
            {
                admin ??= await factory.CreateConnectionAsync();
                channel ??= await admin.CreateChannelAsync();
                await delete(channel);
            }
            catch (Exception e) when (e is OperationInterruptedException or BrokerUnreachableException)
            {
                left.Add($"{name} ({e.Message})");
                await DisposeAsync(channel, admin);
                (channel, admin) = (null, null);
            }
        }

        await DisposeAsync(channel, admin);
        if (left.Count > 0)
        {
            Console.WriteLine($"  clean-up: the broker did not delete {left.Count}: {string.Join(", ", left)}");
        }

        static async Task DisposeAsync(IChannel? channel, IConnection? admin)
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            if (admin is not null)
            {
                await admin.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// PostgreSQL's durability settings and the host's page-cache writeback thresholds, which every figure depends on: with
    /// fsync off "durable" is not, and with the kernel's default thresholds the broker's log flushes wait behind bursts of
    /// PostgreSQL's writeback (bench/README.md).
    /// </summary>
    private static async Task<string> DurabilityAsync(string postgres)
    {
        await using var data = new NpgsqlConnection(postgres);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes')", data);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (fsync, commit, pages) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        static string Vm(string name) => File.Exists("/proc/sys/vm/" + name) ? File.ReadAllText("/proc/sys/vm/" + name).Trim() : "?";
        var background = long.TryParse(Vm("dirty_background_bytes"), out var bytes) && bytes > 0 ? $"{bytes / 1048576} MiB" : Vm("dirty_background_ratio") + " % of memory";
        var durable = fsync == "on" && commit == "on" ? "" : " (not durable: start the servers with PRICEACTORS_DURABLE=1 for the benchmark's figures)";
        return $"PostgreSQL fsync {fsync}, synchronous_commit {commit}, full_page_writes {pages}{durable}; host writeback starts at {background} dirty (vm.dirty_background_*), expires after {Vm("dirty_expire_centisecs")} cs";
    }

    /// <summary>
    /// For instruments whose updates never covered their last ticks (<c>symbol:last,...</c>): the sequence each pair
    /// committed (<c>pair_state</c>), so a tick held before the store tells itself apart from an update lost after it.
    /// </summary>
    private static async Task<string> ShortAgainstPairStateAsync(string connection, long expected, string shortList)
    {
        var seen = shortList.Split(',').Select(s => s.Split(':')).ToDictionary(s => s[0], s => s[1]);
        await using var data = new NpgsqlConnection(connection);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT symbol, last_sequence FROM pair_state WHERE symbol = ANY($1)", data) { Parameters = { new() { Value = seen.Keys.ToArray() } } };
        await using var reader = await command.ExecuteReaderAsync();
        var committed = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            committed[reader.GetString(0)] = reader.GetInt64(1);
        }

        return $"expected {expected}; " + string.Join(", ", seen.Select(s => $"{s.Key} gateway {s.Value}, committed {(committed.TryGetValue(s.Key, out var c) ? c : "none")}"));
    }

    private static async Task<long> DurableTicksAsync(string connection)
    {
        await using var data = new NpgsqlConnection(connection);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(last_sequence), 0)::bigint FROM pair_state", data);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var data = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Pooling = false }.ConnectionString);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand(sql, data);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The latency run: every tick's (and how many were published), each slice's p99 of those, and each update's by its newest tick.</summary>
    private sealed record LatencyResult(double Offered, Percentile Ticks, long Published, double[] SliceP99, Percentile Updates, long[] Trades);

    private sealed record Percentile(double P50, double P99, double Max, long Count);
}
