namespace PriceActors.Client;

/// <summary>What a gateway streams, whatever the transport.</summary>
public abstract record StreamEvent(string Instrument);

/// <summary>A price update: it covers the trades <paramref name="FirstSequence"/>..<paramref name="Sequence"/>.</summary>
public sealed record PriceEvent(
    string Instrument, decimal Price, decimal Quantity, DateTimeOffset Timestamp, long Sequence, long Epoch, long FirstSequence, bool Conflated)
    : StreamEvent(Instrument);

/// <summary>A closed candle.</summary>
public sealed record CandleEvent(string Instrument, string Interval, DateTimeOffset OpenTime, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, long Count)
    : StreamEvent(Instrument);

/// <summary>The gateway could not fill a gap; the current price follows.</summary>
public sealed record ResetEvent(string Instrument, long Epoch, string Reason, string Message) : StreamEvent(Instrument);

/// <summary>Where the client's stream of an instrument stands, sent when it reconnects.</summary>
public readonly record struct Position(long Epoch, long Sequence);
