namespace PriceActors.Silo.RabbitMq;

/// <summary>Log messages of the RabbitMQ bus, as source-generated delegates (several sit on hot paths).</summary>
internal static partial class RabbitMqLog
{
    [LoggerMessage(1, LogLevel.Information, "Connected to RabbitMQ at {Endpoint} (prefix {Prefix})")]
    public static partial void Connected(ILogger logger, string endpoint, string prefix);

    [LoggerMessage(2, LogLevel.Warning, "Cannot connect to RabbitMQ at {Host}, retrying: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string? host, string reason);

    [LoggerMessage(3, LogLevel.Warning, "RabbitMQ connection lost ({Code} {Reason}); recovering automatically")]
    public static partial void ConnectionLost(ILogger logger, ushort code, string reason);

    [LoggerMessage(4, LogLevel.Information, "RabbitMQ connection recovered")]
    public static partial void ConnectionRecovered(ILogger logger);

    [LoggerMessage(5, LogLevel.Warning, "RabbitMQ connection recovery attempt failed: {Reason}")]
    public static partial void RecoveryFailed(ILogger logger, string reason);

    [LoggerMessage(6, LogLevel.Debug, "Closing the RabbitMQ connection failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Publishing {Messages} tick messages failed, retrying in {Delay}: {Reason}")]
    public static partial void TickPublishFailed(ILogger logger, int messages, TimeSpan delay, string reason);

    [LoggerMessage(11, LogLevel.Error, "Tick publisher stopped unexpectedly")]
    public static partial void TickPublisherCrashed(ILogger logger, Exception exception);

    [LoggerMessage(20, LogLevel.Information, "Partition {Partition} acquired: this process is its active consumer")]
    public static partial void PartitionAcquired(ILogger logger, int partition);

    [LoggerMessage(21, LogLevel.Information, "Partition {Partition} released ({Why})")]
    public static partial void PartitionReleased(ILogger logger, int partition, string why);

    [LoggerMessage(22, LogLevel.Error, "Dropped a malformed message from {Queue} (delivery {DeliveryTag}, {Length} bytes, redelivered {Redelivered}): {Reason}")]
    public static partial void MalformedMessage(ILogger logger, string queue, ulong deliveryTag, int length, bool redelivered, string reason);

    [LoggerMessage(23, LogLevel.Warning, "Partition {Partition}: {What} failed, retrying in {Delay}")]
    public static partial void PartitionWorkFailed(ILogger logger, Exception exception, int partition, string what, TimeSpan delay);

    [LoggerMessage(24, LogLevel.Debug, "Partition {Partition}: acknowledging delivery {DeliveryTag} failed, the broker will redeliver it: {Reason}")]
    public static partial void AckFailed(ILogger logger, int partition, ulong deliveryTag, string reason);

    [LoggerMessage(25, LogLevel.Warning, "Partition {Partition}: closing its channel failed: {Reason}")]
    public static partial void PartitionCloseFailed(ILogger logger, int partition, string reason);

    [LoggerMessage(30, LogLevel.Warning, "Dropped {Count} updates: {Reason}")]
    public static partial void UpdatesDropped(ILogger logger, int count, string reason);

    [LoggerMessage(31, LogLevel.Error, "Update observer failed for {Instrument}")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string instrument);

    [LoggerMessage(32, LogLevel.Error, "Update flusher stopped unexpectedly")]
    public static partial void UpdateFlusherCrashed(ILogger logger, Exception exception);
}
