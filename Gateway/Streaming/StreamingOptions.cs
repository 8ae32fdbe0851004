using System.ComponentModel.DataAnnotations;

namespace PriceActors.Gateway.Streaming;

/// <summary>How the gateway streams to its subscribers (SignalR, WebSocket, SSE), bound from the <c>Streaming</c> section.</summary>
public sealed class StreamingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Streaming";

    /// <summary>
    /// Messages a connection's outbound queue holds before it conflates: past it, each instrument's updates merge into
    /// the latest one until the client catches up. Default 1,024; 16 to 1,000,000.
    /// </summary>
    [Range(16, 1_000_000)]
    public int QueueCapacity { get; set; } = 1_024;

    /// <summary>
    /// A connection with messages waiting that completes no write for this long is disconnected as stuck. Default 10 s;
    /// 1 s to 10 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Instruments one connection may subscribe to. Default 1,000; 1 to 100,000.</summary>
    [Range(1, 100_000)]
    public int MaxInstrumentsPerConnection { get; set; } = 1_000;

    /// <summary>
    /// Updates one instrument may replay to a resuming client; a longer gap is answered with a reset and the snapshot.
    /// Default 100,000; 0 to 10,000,000.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxReplay { get; set; } = 100_000;

    /// <summary>How often an idle WebSocket or SSE connection gets a keep-alive (a ping frame, an SSE comment). Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The kernel send buffer of each accepted connection, in bytes (0: the operating system's, which grows by itself to
    /// megabytes). A smaller one bounds the memory a stalled client holds in the kernel and lets the gateway notice it
    /// sooner (its writes block, its updates conflate); a larger one serves distant clients of big REST answers faster.
    /// Default 0; 0 or 4,096 to 16 MiB.
    /// </summary>
    [Range(0, 16 * 1024 * 1024)]
    public int SocketSendBufferBytes { get; set; }

    /// <summary>
    /// How long after a candle's end it is read and sent, for trades still on their way. Default 2 s; 0 to 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CandleGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The port of the gRPC stream (HTTP/2 without TLS, beside the <c>urls</c>, which serve HTTP/1.1 and cannot also take
    /// cleartext HTTP/2); 0 leaves gRPC off. Default 0; 0 to 65,535.
    /// </summary>
    [Range(0, 65_535)]
    public int GrpcPort { get; set; }

    /// <summary>Malformed or oversized client messages a WebSocket may send (each answered with an error frame) before it is closed. Default 3.</summary>
    [Range(1, 1_000)]
    public int MaxClientErrors { get; set; } = 3;
}
