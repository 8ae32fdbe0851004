using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PriceActors.Tests.Support;

/// <summary>
/// The loopback cluster exactly as an operator starts it: <c>scripts/cluster-local.sh</c> with this test run's
/// binaries, a database and Orleans cluster id of the test's own, free ports and a folder of its own.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private bool stopped;

    private LocalCluster(string directory, Dictionary<string, string> environment)
    {
        Directory = directory;
        this.environment = environment;
    }

    /// <summary>The Orleans cluster id the processes share (their membership rows carry it).</summary>
    public string ClusterId => environment["CLUSTER_ID"];

    /// <summary>Where the script keeps pids, URLs, logs and the nginx configuration.</summary>
    public string Directory { get; }

    /// <summary>nginx, in front of the gateways.</summary>
    public Uri Nginx => Url("nginx");

    /// <summary>nginx's gRPC port (HTTP/2 without TLS) in front of the gateways' gRPC ports.</summary>
    public Uri NginxGrpc => Url("nginx-grpc");

    /// <summary>The gateways' own addresses.</summary>
    public IReadOnlyList<Uri> Gateways => Numbered("gateway");

    /// <summary>The silos' own addresses (health endpoints).</summary>
    public IReadOnlyList<Uri> Silos => Numbered("silo");

    /// <summary>Runs <c>scripts/cluster-local.sh start</c>; fails with the script's output if it fails.</summary>
    public static async Task<LocalCluster> StartAsync(int silos, int gateways, string database, params string[] settings)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"priceactors-cluster-{Guid.NewGuid():N}");
        var cluster = new LocalCluster(directory, new()
        {
            ["CLUSTER_DIR"] = directory,
            ["CLUSTER_BIN"] = AppContext.BaseDirectory,
            ["CLUSTER_SILOS"] = silos.ToString(CultureInfo.InvariantCulture),
            ["CLUSTER_GATEWAYS"] = gateways.ToString(CultureInfo.InvariantCulture),
            ["CLUSTER_PORT"] = FreeBasePort(silos, gateways).ToString(CultureInfo.InvariantCulture),
            ["CLUSTER_DATABASE"] = database,
            ["CLUSTER_ID"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            ["CLUSTER_SETTINGS"] = string.Join(' ', settings),
        });
        var (code, output) = await cluster.RunAsync("start");
        if (code != 0)
        {
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"scripts/cluster-local.sh start exited {code}:\n{output}");
        }

        return cluster;
    }

    /// <summary>Runs <c>scripts/cluster-local.sh status</c>.</summary>
    public Task<(int Code, string Output)> StatusAsync() => RunAsync("status");

    /// <summary>The process id of e.g. <c>silo1</c> or <c>gateway2</c>.</summary>
    public int ProcessId(string name) => int.Parse(File.ReadAllText(Path.Combine(Directory, $"{name}.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>What a process wrote to stdout and stderr.</summary>
    public string LogOf(string name) => File.ReadAllText(Path.Combine(Directory, $"{name}.log"));

    /// <summary>Runs <c>scripts/cluster-local.sh stop</c>: SIGTERM to every process, nginx quits.</summary>
    public async Task<(int Code, string Output)> StopAsync()
    {
        stopped = true;
        return await RunAsync("stop");
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopped)
        {
            await StopAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing its log; the folder is in /tmp.
        }
    }

    private static int FreeBasePort(int silos, int gateways)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 40_000);
            int[] ports =
            [
                port, .. Enumerable.Range(port + 1, gateways), port + 50, .. Enumerable.Range(port + 51, gateways), .. Enumerable.Range(port + 101, silos),
                .. Enumerable.Range(port + 201, silos), .. Enumerable.Range(port + 301, silos),
            ];
            if (ports.All(IsFree))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free range of loopback ports found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private Uri Url(string name) => new(File.ReadAllText(Path.Combine(Directory, $"{name}.url")).Trim());

    private Uri[] Numbered(string kind) =>
        [.. System.IO.Directory.GetFiles(Directory, $"{kind}*.url").Order(StringComparer.Ordinal).Select(f => Url(Path.GetFileNameWithoutExtension(f)))];

    private async Task<(int Code, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(TestServers.RepositoryRoot, "scripts", "cluster-local.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // The script starts PostgreSQL through scripts/servers.sh unless it runs; hand it the test run's.
        start.Environment["PRICEACTORS_POSTGRES"] = TestServers.Postgres;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after 5 minutes\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
