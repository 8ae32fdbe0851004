using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Orleans.Runtime;

namespace PriceActors.Bench;

/// <summary>
/// The cluster benchmark's system under test: a fresh database on the server of <c>PRICEACTORS_POSTGRES</c>, silo
/// processes (feeds off: the bench is the feed), one cluster gateway process, and the bench's feed client. Disposing
/// it stops the processes with SIGTERM (gateway first) and drops the database.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);
    private readonly string server;
    private readonly string database;
    private readonly List<BenchProcess> processes = [];
    private readonly CancellationTokenSource stopping = new();
    private NpgsqlDataSource? dataSource;
    private TickFeed? feed;
    private Task watching = Task.CompletedTask;
    private int[] errorsAtReady = [];

    private BenchCluster(string server, string database, string logDirectory)
    {
        this.server = server;
        this.database = database;
        LogDirectory = logDirectory;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
    }

    public string ConnectionString { get; }

    public string LogDirectory { get; }

    public BenchProcess Gateway => processes[^1];

    public IReadOnlyList<BenchProcess> Processes => processes;

    public TickFeed Feed => feed!;

    /// <summary>What happened to each process at the end (filled by <see cref="DisposeAsync"/>).</summary>
    public List<string> Stopped { get; } = [];

    /// <summary>Error lines each process logged from the moment the cluster was ready until it exited (its start-up's are left out).</summary>
    public IEnumerable<string> ErrorsSinceReady => processes.Select((p, n) => $"{p.Name} {p.Errors - errorsAtReady.ElementAtOrDefault(n)}");

    /// <summary>The most connections seen to the run's database and to the whole server, checked every 500 ms.</summary>
    public (long Database, long Server) PeakConnections { get; private set; }

    /// <summary>Further settings of every silo, from <c>BENCH_SILO_SETTINGS</c> (space-separated, e.g. <c>--Orleans:StreamPollPeriod 00:00:00.100</c>).</summary>
    private static string[] SiloSettings =>
        Environment.GetEnvironmentVariable("BENCH_SILO_SETTINGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    public static async Task<BenchCluster> StartAsync(string server, ClusterSettings settings, BenchCatalog catalog, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"priceactors-bench-{id}")).FullName;
        var cluster = new BenchCluster(server, $"bench_{id}", logs);
        try
        {
            await cluster.StartAsync(settings, catalog, $"bench-{id}", cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ticks durable in PostgreSQL: the sum over pairs of the sequence of their last committed tick.</summary>
    public async Task<long> DurableTicksAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource!.CreateCommand("SELECT coalesce(sum(last_sequence), 0)::bigint FROM pair_state");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Waits until every tick the feed published is durable; returns how long that took, or null after <paramref name="patience"/>.</summary>
    public async Task<TimeSpan?> DrainAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (await DurableTicksAsync(cancellationToken) < Feed.Published)
        {
            if (waited.Elapsed > patience)
            {
                return null;
            }

            await Task.Delay(100, cancellationToken);
        }

        return waited.Elapsed;
    }

    /// <summary>A CPU account of this process, the silos and the gateway.</summary>
    public CpuAccount Cpu() => new([("bench", Environment.ProcessId), .. processes.Select(p => (p.Name, p.Id))]);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await watching;
        stopping.Dispose();
        if (feed is not null)
        {
            await feed.DisposeAsync();
        }

        for (var i = processes.Count - 1; i >= 0; i--)
        {
            Stopped.Add(await processes[i].StopAsync(TimeSpan.FromSeconds(30)));
            await processes[i].DisposeAsync();
        }

        if (dataSource is not null)
        {
            await dataSource.DisposeAsync();
        }

        await using var admin = NpgsqlDataSource.Create(server);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }

    private async Task StartAsync(ClusterSettings settings, BenchCatalog catalog, string clusterId, CancellationToken cancellationToken)
    {
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {database}"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        dataSource = NpgsqlDataSource.Create(ConnectionString);
        watching = WatchConnectionsAsync(stopping.Token);
        string[] common = ["--Postgres:ConnectionString", ConnectionString, "--Orleans:ClusterId", clusterId, .. catalog.Arguments];

        // One at a time: the first applies the schema to the fresh database.
        for (var i = 1; i <= settings.Silos; i++)
        {
            var silo = Start($"silo{i}", BenchRepository.SiloDll,
            [
                .. common,
                "--contentRoot", Path.Combine(BenchRepository.Root, "Silo"),
                "--Feeds:Keeper:Enabled", "false",
                "--Orleans:StreamQueues", settings.Queues.ToString(CultureInfo.InvariantCulture),
                "--Orleans:AdvertisedAddress", "127.0.0.1",
                "--Orleans:SiloPort", BenchProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                "--Orleans:GatewayPort", BenchProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                .. SiloSettings,
            ]);
            await silo.WaitReadyAsync(StartPatience, cancellationToken);
        }

        var gateway = Start("gateway", BenchRepository.GatewayDll, ["--PriceActors:Mode", "Cluster", "--Api:RateLimitPerSecond", "0", .. common]);
        await gateway.WaitReadyAsync(StartPatience, cancellationToken);

        // The feed's own pool, so that its publishes waiting for a connection leave the silos theirs (max_connections).
        var feedConnections = new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = settings.FeedConnections }.ConnectionString;
        feed = await TickFeed.StartAsync(feedConnections, clusterId, settings.Queues, catalog.Instruments);
        var management = feed.Cluster.GetGrain<IManagementGrain>(0);
        var waited = Stopwatch.StartNew();
        while ((await management.GetHosts(onlyActive: true)).Count < settings.Silos)
        {
            if (waited.Elapsed > StartPatience)
            {
                throw new TimeoutException($"{settings.Silos} silos not active in the cluster within {StartPatience.TotalSeconds:F0} s (logs: {LogDirectory}).");
            }

            await Task.Delay(200, cancellationToken);
        }

        errorsAtReady = [.. processes.Select(p => p.Errors)];
    }

    private async Task WatchConnectionsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await using var command = dataSource!.CreateCommand(
                        "SELECT count(*) FILTER (WHERE datname = current_database()), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    await reader.ReadAsync(cancellationToken);
                    PeakConnections = (Math.Max(PeakConnections.Database, reader.GetInt64(0)), Math.Max(PeakConnections.Server, reader.GetInt64(1)));
                }
                catch (NpgsqlException)
                {
                    // No connection to be had (max_connections): the peak says so already.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing.
        }
    }

    private BenchProcess Start(string name, string dll, string[] arguments)
    {
        var process = BenchProcess.Start(name, dll, arguments, LogDirectory);
        processes.Add(process);
        return process;
    }
}
