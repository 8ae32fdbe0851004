using Microsoft.Extensions.Options;

namespace PriceActors.Gateway.Hosting;

/// <summary>
/// Orleans' client connection retry filter for a gateway: while no silo answers (the cluster starting, PostgreSQL not
/// reachable yet) it logs the attempt and tries again after <see cref="ClusterGatewayOptions.ConnectRetryDelay"/>,
/// until the gateway is stopped.
/// </summary>
internal sealed partial class ClusterConnectRetry(IOptions<ClusterGatewayOptions> options, ILogger<ClusterConnectRetry> logger) : IClientConnectionRetryFilter
{
    private int attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        LogRetrying(++attempts, options.Value.ClusterId, exception.Message);
        try
        {
            await Task.Delay(options.Value.ConnectRetryDelay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Connecting to cluster {ClusterId} failed (attempt {Attempt}): {Reason}; retrying")]
    private partial void LogRetrying(int attempt, string clusterId, string reason);
}
