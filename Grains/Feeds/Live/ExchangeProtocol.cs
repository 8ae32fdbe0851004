namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// What a live connection needs from one exchange's protocol: where to connect, what to send once connected, the
/// client's keep-alive, and how to read a frame. One instance per connection attempt's feed; not thread-safe.
/// </summary>
internal abstract class ExchangeProtocol(LiveSource source)
{
    /// <summary>The exchange name, lower case.</summary>
    public string Exchange => source.Exchange;

    /// <summary>Where to connect.</summary>
    public virtual Uri Endpoint => Configured;

    /// <summary>The configured endpoint.</summary>
    protected Uri Configured { get; } = source.Endpoint;

    /// <summary>The configured instruments, canonical.</summary>
    public IReadOnlyList<InstrumentKey> Instruments { get; } =
        [.. source.Symbols.Select(s => LiveSymbols.TryKeyOf(source.Exchange, s, out var key, out _) ? key : default).Where(k => k.Value is not null).Distinct()];

    /// <summary>The configured symbols in the exchange's own form.</summary>
    public IReadOnlyList<string> Natives { get; } = [.. source.Symbols.Select(s => LiveSymbols.NativeOf(source.Exchange, s)).Distinct()];

    /// <summary>The client's keep-alive message where the protocol asks for one; null when the server pings.</summary>
    public virtual string? Ping => null;

    /// <summary>How long one connection may live before the feed replaces it (Binance cuts at 24 hours).</summary>
    public virtual TimeSpan MaxConnectionAge => Timeout.InfiniteTimeSpan;

    /// <summary>Whether trade ids of an instrument are consecutive, so that a jump is a gap (documented for all but Bybit).</summary>
    public virtual bool ConsecutiveTradeIds => true;

    /// <summary>The exchange's snapshot of recent trades on (re)subscription fills gaps (Kraken, Coinbase Advanced Trade).</summary>
    public virtual bool SnapshotOnSubscribe => false;

    /// <summary>The requests to send once connected (subscriptions).</summary>
    public abstract IEnumerable<string> Subscriptions();

    /// <summary>The requests that take the subscriptions back, sent when the feed stops.</summary>
    public abstract IEnumerable<string> Unsubscriptions();

    /// <summary>Reads one frame; trades go to <paramref name="trades"/>, the fills each aggregates to <paramref name="fills"/> (OKX only).</summary>
    public abstract FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills);

    /// <summary>The protocol of a live source, by its exchange; NDJSON for any other name.</summary>
    public static ExchangeProtocol For(LiveSource source, LiveFeedsOptions options) => source.Exchange switch
    {
        BinanceProtocol.Exchange => new Binance(source),
        KrakenProtocol.Exchange => new Kraken(source),
        CoinbaseProtocol.Exchange when options.Coinbase.Channel == CoinbaseChannel.Matches => new CoinbaseMatches(source),
        CoinbaseProtocol.Exchange => new Coinbase(source),
        BybitProtocol.Exchange => new Bybit(source),
        OkxProtocol.Exchange => new Okx(source),
        _ => new Ndjson(source, options.Ndjson.Endpoints.First(e => string.Equals(e.Exchange, source.Exchange, StringComparison.OrdinalIgnoreCase)).Format()),
    };

    private sealed class Binance(LiveSource source) : ExchangeProtocol(source)
    {
        private long requests;

        // The combined-stream endpoint, subscribed by request: every message arrives wrapped with its stream's name.
        public override Uri Endpoint => new(Configured, "/stream");

        public override TimeSpan MaxConnectionAge => TimeSpan.FromHours(23);

        public override IEnumerable<string> Subscriptions() => [BinanceProtocol.SubscribeRequest(++requests, Instruments)];

        public override IEnumerable<string> Unsubscriptions() => [BinanceProtocol.SubscribeRequest(++requests, Instruments, unsubscribe: true)];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            BinanceProtocol.Parse(frame, receivedAt, trades);
    }

    private sealed class Kraken(LiveSource source) : ExchangeProtocol(source)
    {
        private long requests;

        public override bool SnapshotOnSubscribe => true;

        public override IEnumerable<string> Subscriptions() => [KrakenProtocol.SubscribeRequest(++requests, Natives)];

        public override IEnumerable<string> Unsubscriptions() => [KrakenProtocol.SubscribeRequest(++requests, Natives, unsubscribe: true)];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            KrakenProtocol.Parse(frame, receivedAt, trades);
    }

    private sealed class Coinbase(LiveSource source) : ExchangeProtocol(source)
    {
        public override bool SnapshotOnSubscribe => true;

        // The heartbeats channel keeps the connection open while a product is quiet.
        public override IEnumerable<string> Subscriptions() =>
            [CoinbaseProtocol.SubscribeRequest(Natives), CoinbaseProtocol.SubscribeRequest(Natives, "heartbeats")];

        public override IEnumerable<string> Unsubscriptions() =>
            [CoinbaseProtocol.SubscribeRequest(Natives, unsubscribe: true), CoinbaseProtocol.SubscribeRequest(Natives, "heartbeats", unsubscribe: true)];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            CoinbaseProtocol.Parse(frame, receivedAt, trades);
    }

    private sealed class CoinbaseMatches(LiveSource source) : ExchangeProtocol(source)
    {
        public override IEnumerable<string> Subscriptions() => [CoinbaseExchangeProtocol.SubscribeRequest(Natives)];

        public override IEnumerable<string> Unsubscriptions() => [CoinbaseExchangeProtocol.SubscribeRequest(Natives, unsubscribe: true)];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            CoinbaseExchangeProtocol.Parse(frame, receivedAt, trades);
    }

    private sealed class Bybit(LiveSource source) : ExchangeProtocol(source)
    {
        private long requests;

        public override string? Ping => BybitProtocol.Ping;

        public override bool ConsecutiveTradeIds => false;

        public override IEnumerable<string> Subscriptions() =>
            Instruments.Chunk(10).Select(chunk => BybitProtocol.SubscribeRequest($"sub-{++requests}", chunk));

        public override IEnumerable<string> Unsubscriptions() =>
            Instruments.Chunk(10).Select(chunk => BybitProtocol.SubscribeRequest($"unsub-{++requests}", chunk, unsubscribe: true));

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            BybitProtocol.Parse(frame, receivedAt, trades);
    }

    private sealed class Okx(LiveSource source) : ExchangeProtocol(source)
    {
        public override string? Ping => OkxProtocol.Ping;

        public override IEnumerable<string> Subscriptions() => [OkxProtocol.SubscribeRequest(Natives)];

        public override IEnumerable<string> Unsubscriptions() => [OkxProtocol.SubscribeRequest(Natives, unsubscribe: true)];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            OkxProtocol.Parse(frame, receivedAt, trades, fills);
    }

    private sealed class Ndjson(LiveSource source, NdjsonFormat format) : ExchangeProtocol(source)
    {
        private readonly Dictionary<InstrumentKey, long> assigned = [];

        public override bool ConsecutiveTradeIds => false;

        public override IEnumerable<string> Subscriptions() => [];

        public override IEnumerable<string> Unsubscriptions() => [];

        public override FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int> fills) =>
            NdjsonProtocol.Parse(frame, format, receivedAt, trades, NextId);

        // Lines without an id are numbered from the receive time, so a restarted feed keeps numbering upwards.
        private long NextId(InstrumentKey instrument)
        {
            var floor = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            var next = Math.Max(assigned.GetValueOrDefault(instrument) + 1, floor);
            assigned[instrument] = next;
            return next;
        }
    }
}
