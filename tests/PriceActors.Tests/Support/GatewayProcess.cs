using System.Text.Json;

namespace PriceActors.Tests.Support;

/// <summary>A gateway in its own process, as an operator runs it (e.g. <c>--PriceActors:Mode Cluster</c>); stopped with SIGTERM or killed.</summary>
public sealed class GatewayProcess : ServiceProcess
{
    private GatewayProcess(IEnumerable<string> arguments)
        : base("PriceActors.Gateway.dll", "PriceActors started", arguments)
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
}
