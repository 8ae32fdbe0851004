using System.Runtime.CompilerServices;

namespace PriceActors.Tests.Support;

/// <summary>A cluster silo in its own process, as an operator runs it; killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class SiloProcess : ServiceProcess
{
    private SiloProcess(IEnumerable<string> arguments)
        : base("PriceActors.Silo.dll", "Now listening on", arguments)
    {
    }

    /// <summary>The base address it listens on (its health endpoints).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts a silo on a free port and waits until it listens.</summary>
    public static async Task<SiloProcess> StartAsync(params string[] settings)
    {
        var silo = new SiloProcess(["--urls", "http://127.0.0.1:0", "--contentRoot", SiloProjectDirectory(), .. settings]);
        var listening = await silo.RunUntilReadyAsync();
        silo.Address = new Uri(listening.GetProperty("address").GetString()!);
        return silo;
    }

    /// <summary>
    /// The Silo project's folder, so the process reads the silo's own appsettings.json (the test output holds
    /// the Gateway's) as <c>dotnet run --project Silo</c> does.
    /// </summary>
    private static string SiloProjectDirectory([CallerFilePath] string path = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
        var silo = Path.Combine(root, "Silo");
        return File.Exists(Path.Combine(silo, "appsettings.json")) ? silo
            : throw new InvalidOperationException($"Silo/appsettings.json not found under {root}");
    }
}
