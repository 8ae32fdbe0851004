namespace PriceActors.Gateway.Hosting;

/// <summary>
/// Whether a cluster gateway's Orleans client is connected to at least one silo, as Orleans reports it through
/// <see cref="IClusterConnectionStatusObserver"/>; logs each change. Before the first connection the client does not
/// even know the grain types, so the API answers 503 until then.
/// </summary>
internal sealed partial class ClusterConnection(ILogger<ClusterConnection> logger) : IClusterConnectionStatusObserver
{
    private volatile int gateways;

    /// <summary>Silos the client holds a connection to.</summary>
    public int Gateways => gateways;

    /// <summary>Whether the client holds a connection to a silo.</summary>
    public bool IsConnected => gateways > 0;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        gateways = currentNumberOfGateways;
        LogGateways(currentNumberOfGateways, previousNumberOfGateways);
    }

    public void NotifyClusterConnectionLost()
    {
        gateways = 0;
        LogLost();
    }

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Connected to {Gateways} silos (was {Previous})")]
    private partial void LogGateways(int gateways, int previous);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Lost the connection to every silo of the cluster; reconnecting")]
    private partial void LogLost();
}
