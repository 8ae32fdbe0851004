using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace PriceActors.Bench;

/// <summary>
/// A silo or gateway the benchmark runs as its own process (<c>dotnet X.dll</c>), its output in a log file; stopped
/// with SIGTERM, killed if it does not exit in time, and killed when the benchmark exits before stopping it.
/// </summary>
internal sealed class BenchProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process process;
    private readonly TextWriter log;
    private readonly ConcurrentQueue<string> tail = new();
    private int errors;

    static BenchProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var child in Running.Values)
        {
            try
            {
                child.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    };

    private BenchProcess(string name, Process process, TextWriter log, Uri address, string logPath)
    {
        Name = name;
        this.process = process;
        this.log = log;
        Address = address;
        LogPath = logPath;
    }

    public string Name { get; }

    /// <summary>Where it serves HTTP (its <c>--urls</c>).</summary>
    public Uri Address { get; }

    public string LogPath { get; }

    public int Id => process.Id;

    /// <summary>Log lines at level Error or Critical so far.</summary>
    public int Errors => Volatile.Read(ref errors);

    /// <summary>Starts <c>dotnet <paramref name="dll"/></c> from the dll's folder, serving HTTP on a free loopback port.</summary>
    public static BenchProcess Start(string name, string dll, IEnumerable<string> arguments, string logDirectory)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[dll, "--urls", address.ToString().TrimEnd('/'), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var logPath = Path.Combine(logDirectory, name + ".log");
        var log = TextWriter.Synchronized(new StreamWriter(logPath) { AutoFlush = true });
        var process = new Process { StartInfo = start };
        var started = new BenchProcess(name, process, log, address, logPath);
        process.OutputDataReceived += (_, e) => started.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => started.OnLine(e.Data);
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>A loopback port nobody listens on.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails if the process exits or <paramref name="patience"/> passes.</summary>
    public async Task WaitReadyAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer";
        while (deadline.Elapsed < patience)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} while starting; its last lines ({LogPath}):\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Address, "/health/ready"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException error)
            {
                last = error.Message;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} not ready within {patience.TotalSeconds:F0} s; /health/ready: {last}; log: {LogPath}");
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="within"/>; returns how it ended.</summary>
    public async Task<string> StopAsync(TimeSpan within)
    {
        if (process.HasExited)
        {
            return $"{Name} had exited with {process.ExitCode}";
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(within);
            return $"{Name} exited with {process.ExitCode} after SIGTERM";
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return $"{Name} killed: still running {within.TotalSeconds:F0} s after SIGTERM";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        // Also waits for the last output lines, which go to the log.
        await process.WaitForExitAsync();
        Running.TryRemove(process.Id, out _);
        process.Dispose();
        await log.DisposeAsync();
    }

    private string Tail() => string.Join('\n', tail);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        log.WriteLine(line);
        if (line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref errors);
        }

        tail.Enqueue(line);
        while (tail.Count > 20)
        {
            tail.TryDequeue(out _);
        }
    }
}
