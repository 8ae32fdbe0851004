namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>Log messages of actor requests over RabbitMQ.</summary>
internal static partial class RequestLog
{
    [LoggerMessage(40, LogLevel.Information, "Serving requests of partition {Partition} from {Queue}")]
    public static partial void Serving(ILogger logger, int partition, string queue);

    [LoggerMessage(41, LogLevel.Information, "Stopped serving requests of partition {Partition}")]
    public static partial void StoppedServing(ILogger logger, int partition);

    [LoggerMessage(42, LogLevel.Error, "Cannot serve requests of partition {Partition}: {Reason}")]
    public static partial void ServeFailed(ILogger logger, int partition, string reason);

    [LoggerMessage(43, LogLevel.Warning, "Malformed request on {Queue} (delivery {DeliveryTag}, {Length} bytes, type '{Type}'): {Reason}")]
    public static partial void MalformedRequest(ILogger logger, string queue, ulong deliveryTag, int length, string? type, string reason);

    [LoggerMessage(44, LogLevel.Warning, "Request {Type} to {Target} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string type, string target, string reason);

    [LoggerMessage(45, LogLevel.Debug, "Partition {Partition}: acknowledging or replying failed: {Reason}")]
    public static partial void ReplyFailed(ILogger logger, int partition, string reason);

    [LoggerMessage(46, LogLevel.Warning, "Malformed reply (correlation {CorrelationId}, type '{Type}'): {Reason}")]
    public static partial void MalformedReply(ILogger logger, string? correlationId, string? type, string reason);

    [LoggerMessage(47, LogLevel.Warning, "Reply channel lost ({Code} {Reason}); {Pending} pending requests go out again on a new channel, those lost once already fail")]
    public static partial void ReplyChannelLost(ILogger logger, ushort code, string reason, int pending);

    [LoggerMessage(49, LogLevel.Warning, "Opening the request channel failed, retrying: {Reason}")]
    public static partial void ReopenFailed(ILogger logger, string reason);

    [LoggerMessage(48, LogLevel.Information, "Request transport ready: replies on {ReplyTo}, {Partitions} request queues declared")]
    public static partial void TransportReady(ILogger logger, string replyTo, int partitions);
}
