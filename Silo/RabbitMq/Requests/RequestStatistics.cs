namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>Counters of actor requests over RabbitMQ in one process: a gateway's sent requests, a silo's served ones.</summary>
public sealed class RequestStatistics
{
    internal long Sent;
    internal long Answered;
    internal long TimedOut;
    internal long Failed;
    internal long Resent;
    internal long Served;
    internal long ErrorReplies;
    internal long Malformed;
    internal long Requeued;
    internal int Pending;

    /// <summary>Requests this gateway published (one sent again after a lost channel counts twice).</summary>
    public long SentCount => Interlocked.Read(ref Sent);

    /// <summary>Requests answered (with a value or an error reply).</summary>
    public long AnsweredCount => Interlocked.Read(ref Answered);

    /// <summary>Requests that got no reply in time.</summary>
    public long TimedOutCount => Interlocked.Read(ref TimedOut);

    /// <summary>Requests that failed without a reply: broker down, channel lost twice, too many pending.</summary>
    public long FailedCount => Interlocked.Read(ref Failed);

    /// <summary>Requests sent again because the channel they went out on was lost before their reply came.</summary>
    public long ResentCount => Interlocked.Read(ref Resent);

    /// <summary>Requests waiting for a reply now.</summary>
    public int PendingCount => Volatile.Read(ref Pending);

    /// <summary>Requests this silo answered from its actors.</summary>
    public long ServedCount => Interlocked.Read(ref Served);

    /// <summary>Requests this silo answered with an error (actor failure, wrong partition, malformed).</summary>
    public long ErrorReplyCount => Interlocked.Read(ref ErrorReplies);

    /// <summary>Malformed requests or replies received.</summary>
    public long MalformedCount => Interlocked.Read(ref Malformed);

    /// <summary>Requests this silo handed back to the queue because it does not own their partition (hand-over).</summary>
    public long RequeuedCount => Interlocked.Read(ref Requeued);

    /// <summary>The counters as health-check data.</summary>
    public Dictionary<string, object> ToData() => new()
    {
        ["sent"] = SentCount,
        ["answered"] = AnsweredCount,
        ["timedOut"] = TimedOutCount,
        ["failed"] = FailedCount,
        ["resent"] = ResentCount,
        ["pending"] = PendingCount,
        ["served"] = ServedCount,
        ["errorReplies"] = ErrorReplyCount,
        ["malformed"] = MalformedCount,
        ["requeued"] = RequeuedCount,
    };
}
