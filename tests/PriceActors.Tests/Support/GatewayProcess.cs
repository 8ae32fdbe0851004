using System.Text.Json;

namespace PriceActors.Tests.Support;

/// <summary>A gateway in its own process, as an operator runs it (e.g. <c>--PriceActors:Mode Cluster</c>); stopped with SIGTERM or killed.</summary>
public sealed class GatewayProcess : ServiceProcess
{
    private GatewayProcess(IEnumerable<string> arguments, string readyMarker = "PriceActors started")
        : base("PriceActors.Gateway.dll", readyMarker, arguments)
    {
    }

    /// <summary>The base address it listens on.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The <c>State</c> of its one-line startup report (mode, backends, urls).</summary>
    public JsonElement StartupReport { get; private set; }

    /// <summary>Starts a gateway on a free port and waits for its startup report.</summary>
    public static async Task<GatewayProcess> StartAsync(params string[] settings)
    {
        var gateway = new GatewayProcess(["--urls", "http://127.0.0.1:0", .. settings]);
        gateway.StartupReport = await gateway.RunUntilReadyAsync();
        gateway.Address = new Uri(gateway.StartupReport.GetProperty("Urls").GetString()!.Split(' ')[0]);
        return gateway;
    }

    /// <summary>
    /// Starts a gateway on a free port and waits only until it listens: a cluster gateway serves its health endpoints
    /// while it still looks for a silo, and reports its start once it found one.
    /// </summary>
    public static async Task<GatewayProcess> StartListeningAsync(params string[] settings)
    {
        var gateway = new GatewayProcess(["--urls", "http://127.0.0.1:0", .. settings], "Now listening on");
        var listening = await gateway.RunUntilReadyAsync();
        gateway.Address = new Uri(listening.GetProperty("address").GetString()!);
        return gateway;
    }
}
