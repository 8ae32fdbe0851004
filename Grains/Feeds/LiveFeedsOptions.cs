using System.ComponentModel.DataAnnotations;
using System.Net;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The feeds' mode and the live sources, bound from the <c>Feeds</c> section: <c>Feeds:Mode</c>, one section per exchange
/// (<c>Feeds:Binance</c>, <c>Feeds:Kraken</c>, <c>Feeds:Coinbase</c>, <c>Feeds:Bybit</c>, <c>Feeds:Okx</c>), the NDJSON
/// endpoints (<c>Feeds:Ndjson:Endpoints</c>) and how connections are kept (<c>Feeds:Connection</c>).
/// </summary>
public sealed class LiveFeedsOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Feeds";

    /// <summary>The mode the cluster starts in the first time; afterwards the stored mode wins (<c>POST /mode/…</c>). Default Test.</summary>
    public FeedMode Mode { get; set; } = FeedMode.Test;

    /// <summary>Binance spot: symbols as Binance writes them (BTCUSDT).</summary>
    public LiveExchangeOptions Binance { get; set; } = new();

    /// <summary>Kraken spot (WebSocket v2): symbols BASE/QUOTE (BTC/USD).</summary>
    public LiveExchangeOptions Kraken { get; set; } = new();

    /// <summary>Coinbase: products BASE-QUOTE (BTC-USD), from Advanced Trade's <c>market_trades</c> or the Exchange's <c>matches</c>.</summary>
    public CoinbaseFeedOptions Coinbase { get; set; } = new();

    /// <summary>Bybit v5 public spot: symbols as Bybit writes them (BTCUSDT).</summary>
    public LiveExchangeOptions Bybit { get; set; } = new();

    /// <summary>OKX v5 public: instrument ids BASE-QUOTE (BTC-USDT).</summary>
    public LiveExchangeOptions Okx { get; set; } = new();

    /// <summary>Newline-delimited JSON trade sources over TCP.</summary>
    public NdjsonFeedsOptions Ndjson { get; set; } = new();

    /// <summary>Reconnection, staleness and frame limits shared by every live connection.</summary>
    public FeedConnectionOptions Connection { get; set; } = new();

    /// <summary>The proxies the cluster starts with the first time (afterwards <c>POST /proxy/…</c> changes the stored ones).</summary>
    public FeedProxyOptions Proxy { get; set; } = new();

    /// <summary>The exchange feeds (name, source) that run in live mode: each enabled exchange, then each NDJSON endpoint.</summary>
    public IReadOnlyList<LiveSource> Sources()
    {
        var sources = new List<LiveSource>();
        Add(BinanceProtocol.Exchange, Binance, BinanceProtocol.DefaultUrl);
        Add(KrakenProtocol.Exchange, Kraken, KrakenProtocol.DefaultUrl);
        Add(CoinbaseProtocol.Exchange, Coinbase, Coinbase.Channel == CoinbaseChannel.Matches ? CoinbaseExchangeProtocol.DefaultUrl : CoinbaseProtocol.DefaultUrl);
        Add(BybitProtocol.Exchange, Bybit, BybitProtocol.DefaultUrl);
        Add(OkxProtocol.Exchange, Okx, OkxProtocol.DefaultUrl);
        foreach (var endpoint in Ndjson.Endpoints)
        {
            sources.Add(new LiveSource(endpoint.Exchange.ToLowerInvariant(), new Uri($"tcp://{endpoint.Address}"), endpoint.Symbols));
        }

        return sources;

        void Add(string exchange, LiveExchangeOptions options, Uri defaultUrl)
        {
            if (options.Enabled)
            {
                sources.Add(new LiveSource(exchange, options.Url ?? defaultUrl, options.Symbols));
            }
        }
    }

    /// <summary>The exchanges whose feeds run in <paramref name="mode"/>.</summary>
    /// <param name="mode">Test: the synthetic exchanges; Live: the live sources.</param>
    /// <param name="synthetic">The synthetic feeds' settings.</param>
    public IReadOnlyList<string> ExchangesIn(FeedMode mode, SyntheticFeedOptions synthetic) =>
        mode == FeedMode.Test ? synthetic.Exchanges : [.. Sources().Select(s => s.Exchange)];

    /// <summary>The instruments of every live source; a native symbol that does not map is left out (validation reports it).</summary>
    public IEnumerable<InstrumentKey> Instruments() =>
        Sources().SelectMany(s => s.Symbols.Select(native => LiveSymbols.TryKeyOf(s.Exchange, native, out var key, out _) ? key : (InstrumentKey?)null))
            .OfType<InstrumentKey>();

    /// <summary>Fills in the default symbols of lists left empty in configuration (binding appends to non-empty defaults).</summary>
    public void ApplyDefaults()
    {
        Defaults(Binance, "BTCUSDT", "ETHUSDT", "SOLUSDT");
        Defaults(Kraken, "BTC/USD", "ETH/USD", "SOL/USD");
        Defaults(Coinbase, "BTC-USD", "ETH-USD", "SOL-USD");
        Defaults(Bybit, "BTCUSDT", "ETHUSDT", "SOLUSDT");
        Defaults(Okx, "BTC-USDT", "ETH-USDT", "SOL-USDT");

        static void Defaults(LiveExchangeOptions options, params string[] symbols)
        {
            if (options.Symbols.Count == 0)
            {
                options.Symbols.AddRange(symbols);
            }
        }
    }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var connection = new List<ValidationResult>();
        Validator.TryValidateObject(Connection, new ValidationContext(Connection), connection, validateAllProperties: true);
        foreach (var result in connection)
        {
            yield return new ValidationResult($"Feeds:Connection: {result.ErrorMessage}", [nameof(Connection)]);
        }

        foreach (var url in Proxy.Urls)
        {
            if (FeedProxySettings.Problem(url) is { } problem)
            {
                yield return new ValidationResult($"Feeds:Proxy:Urls: {problem}.", [nameof(Proxy)]);
            }
        }

        if (Proxy.Policy != ProxyPolicy.Disabled && Proxy.Urls.Count == 0)
        {
            yield return new ValidationResult($"Feeds:Proxy:Policy is {Proxy.Policy} but Feeds:Proxy:Urls lists no proxy.", [nameof(Proxy)]);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in Sources())
        {
            if (!names.Add(source.Exchange))
            {
                yield return new ValidationResult($"Live source '{source.Exchange}' is configured twice; give each NDJSON endpoint its own exchange name.", [nameof(Ndjson)]);
            }

            if (source.Endpoint.Scheme is not ("ws" or "wss" or "tcp"))
            {
                yield return new ValidationResult($"Feed {source.Exchange}: '{source.Endpoint}' is not a ws:// or wss:// URL.", [source.Exchange]);
            }

            foreach (var native in source.Symbols)
            {
                if (!LiveSymbols.TryKeyOf(source.Exchange, native, out _, out var error))
                {
                    yield return new ValidationResult($"Feed {source.Exchange}: {error}", [source.Exchange]);
                }
            }
        }

        foreach (var endpoint in Ndjson.Endpoints)
        {
            if (!IPEndPoint.TryParse(endpoint.Address, out _) && !DnsEndPoint(endpoint.Address))
            {
                yield return new ValidationResult($"NDJSON endpoint '{endpoint.Address}' is not host:port.", [nameof(Ndjson)]);
            }

            if (endpoint.Symbols.Count == 0)
            {
                yield return new ValidationResult($"NDJSON endpoint {endpoint.Address} lists no Symbols: name the instruments it sends (BTCUSD, BTC-USD…).", [nameof(Ndjson)]);
            }
        }
    }

    private static bool DnsEndPoint(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && ushort.TryParse(address.AsSpan(colon + 1), out var port) && port > 0;
    }
}

/// <summary>One exchange's live feed.</summary>
public class LiveExchangeOptions
{
    /// <summary>Whether the exchange's feed runs in live mode. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The WebSocket endpoint; default the exchange's public one.</summary>
    public Uri? Url { get; set; }

    /// <summary>The instruments, as the exchange writes them. Default BTC, ETH and SOL against the exchange's main quote currency.</summary>
    public List<string> Symbols { get; set; } = [];
}

/// <summary>Which Coinbase feed carries the trades: never both for one instrument.</summary>
public enum CoinbaseChannel
{
    /// <summary>Advanced Trade's <c>market_trades</c> channel (the default).</summary>
    MarketTrades,

    /// <summary>The Exchange feed's <c>matches</c> channel.</summary>
    Matches,
}

/// <summary>Coinbase's live feed: which of its two public feeds to use.</summary>
public sealed class CoinbaseFeedOptions : LiveExchangeOptions
{
    /// <summary>MarketTrades (default; <c>Url</c> defaults to Advanced Trade's) or Matches (the Exchange feed's).</summary>
    public CoinbaseChannel Channel { get; set; } = CoinbaseChannel.MarketTrades;
}

/// <summary>The NDJSON sources: each a TCP endpoint with one trade object per line.</summary>
public sealed class NdjsonFeedsOptions
{
    /// <summary>The endpoints; none by default.</summary>
    public List<NdjsonEndpointOptions> Endpoints { get; set; } = [];
}

/// <summary>One NDJSON endpoint: where it listens, the exchange its trades are keyed under, its symbols and field names.</summary>
public sealed class NdjsonEndpointOptions
{
    /// <summary>host:port, e.g. <c>127.0.0.1:40101</c>.</summary>
    [Required]
    public string Address { get; set; } = "";

    /// <summary>The exchange name its trades are keyed under, e.g. <c>local1</c>.</summary>
    [Required]
    public string Exchange { get; set; } = "";

    /// <summary>The instruments it sends (BTCUSD, BTC-USD or BTC/USD); lines of other symbols are counted and skipped.</summary>
    public List<string> Symbols { get; set; } = [];

    /// <summary>Property of the symbol. Default <c>symbol</c>.</summary>
    public string SymbolField { get; set; } = "symbol";

    /// <summary>Property of the price. Default <c>price</c>.</summary>
    public string PriceField { get; set; } = "price";

    /// <summary>Property of the quantity. Default <c>quantity</c>.</summary>
    public string QuantityField { get; set; } = "quantity";

    /// <summary>Property of the trade time (epoch milliseconds or ISO 8601). Default <c>timestamp</c>.</summary>
    public string TimestampField { get; set; } = "timestamp";

    /// <summary>Property of the trade id; lines without it are numbered by the feed. Default <c>id</c>.</summary>
    public string TradeIdField { get; set; } = "id";

    /// <summary>The line format these settings describe.</summary>
    public NdjsonFormat Format() => new(Exchange.ToLowerInvariant(), SymbolField, PriceField, QuantityField, TimestampField, TradeIdField);
}

/// <summary>The live feeds' proxies as configured, bound from <c>Feeds:Proxy</c>.</summary>
public sealed class FeedProxyOptions
{
    /// <summary>Disabled (default), Fallback (after a direct attempt failed) or Always.</summary>
    public ProxyPolicy Policy { get; set; } = ProxyPolicy.Disabled;

    /// <summary>One proxy (static) or several (rotating): http://[user:password@]host:port or socks5://host:port.</summary>
    public List<string> Urls { get; set; } = [];
}

/// <summary>How live connections are kept, bound from <c>Feeds:Connection</c>.</summary>
public sealed class FeedConnectionOptions
{
    /// <summary>First reconnect delay; later ones double (with jitter) up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A connection that stayed up this long reconnects at once when it ends; a shorter one backs off. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connected feed silent this long is stale and reconnected. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one connection may live before the feed replaces it; default the protocol's (Binance 23 hours, before
    /// its 24-hour cut; others unlimited).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan? MaxConnectionAge { get; set; }

    /// <summary>How long opening a connection may take. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a client ping goes out where the protocol asks for one (Bybit, OKX). Default 20 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest frame (or NDJSON line) accepted; longer ones are skipped as malformed. Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 1024 * 1024;
}

/// <summary>One live feed: the exchange it is keyed under, where it connects, its native symbols.</summary>
/// <param name="Exchange">Exchange name, lower case.</param>
/// <param name="Endpoint">ws://, wss:// or tcp://host:port for NDJSON.</param>
/// <param name="Symbols">Native symbols.</param>
public sealed record LiveSource(string Exchange, Uri Endpoint, IReadOnlyList<string> Symbols);
