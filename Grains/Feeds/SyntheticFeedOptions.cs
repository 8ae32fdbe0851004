using System.ComponentModel.DataAnnotations;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The synthetic (test-mode) feeds, bound from the <c>Feeds:Synthetic</c> section: every exchange
/// trades every symbol, each instrument a random walk of its own, the same for the same seed.
/// </summary>
public sealed class SyntheticFeedOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Feeds:Synthetic";

    /// <summary>Exchanges to simulate. Default binance, bybit, okx.</summary>
    [MinLength(1)]
    public List<string> Exchanges { get; set; } = [];

    /// <summary>Symbols each exchange trades. Default BTCUSDT, ETHUSDT, SOLUSDT, TONUSDT, DOGEUSDT.</summary>
    public List<string> Symbols { get; set; } = [];

    /// <summary>Extra symbols <c>SYN0001USDT</c>, <c>SYN0002USDT</c>… added to <see cref="Symbols"/>, for load tests. Default 0; 0 to 100,000.</summary>
    [Range(0, 100_000)]
    public int GeneratedSymbols { get; set; }

    /// <summary>Starting price per symbol; a symbol not listed starts at 100. Defaults for the default symbols.</summary>
    public Dictionary<string, decimal> InitialPrices { get; set; } = [];

    /// <summary>Average trades per second of each instrument (arrivals are random). Default 5; 0.001 to 1,000,000.</summary>
    [Range(0.001, 1_000_000)]
    public double TicksPerSecond { get; set; } = 5;

    /// <summary>Annualized drift of the log price. Default 0; -10 to 10.</summary>
    [Range(-10.0, 10.0)]
    public double Drift { get; set; }

    /// <summary>Annualized volatility of the log price (0.8 = 80 %). Default 1.0; 0 to 20.</summary>
    [Range(0.0, 20.0)]
    public double Volatility { get; set; } = 1.0;

    /// <summary>Seed of the random walks: the same seed and start time give the same trades. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>How often a paced feed wakes to publish the trades that fell due. Default 50 ms; 1 ms to 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// True (default): trades are published when their time comes. False: as fast as the pipeline
    /// accepts them, stamped with the time they were made — for load tests and benchmarks.
    /// </summary>
    public bool Paced { get; set; } = true;

    /// <summary>Trades per batch when not paced. Default 256; 1 to 65,536.</summary>
    [Range(1, 65_536)]
    public int UnpacedBatchSize { get; set; } = 256;

    /// <summary>The symbols in effect: <see cref="Symbols"/> then the generated ones.</summary>
    public IEnumerable<string> AllSymbols() =>
        Symbols.Concat(Enumerable.Range(1, GeneratedSymbols).Select(i => $"SYN{i:D4}USDT"));

    /// <summary>The instruments in effect, exchange by exchange.</summary>
    public IReadOnlyList<InstrumentKey> Instruments() =>
        [.. Exchanges.SelectMany(e => AllSymbols().Select(s => InstrumentKey.Create(e, s))).Distinct()];

    /// <summary>Starting price of a symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    public decimal InitialPriceOf(string symbol) => InitialPrices.GetValueOrDefault(symbol, 100m);

    /// <summary>Fills in the defaults for lists left empty in configuration (binding appends to non-empty defaults).</summary>
    public void ApplyDefaults()
    {
        if (Exchanges.Count == 0)
        {
            Exchanges.AddRange(["binance", "bybit", "okx"]);
        }

        if (Symbols.Count == 0 && GeneratedSymbols == 0)
        {
            Symbols.AddRange(["BTCUSDT", "ETHUSDT", "SOLUSDT", "TONUSDT", "DOGEUSDT"]);
        }

        foreach (var (symbol, price) in new Dictionary<string, decimal>
        {
            ["BTCUSDT"] = 97_000m,
            ["ETHUSDT"] = 3_500m,
            ["SOLUSDT"] = 240m,
            ["TONUSDT"] = 5.5m,
            ["DOGEUSDT"] = 0.38m,
        })
        {
            InitialPrices.TryAdd(symbol, price);
        }
    }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var exchange in Exchanges)
        {
            foreach (var symbol in AllSymbols())
            {
                if (!InstrumentKey.TryCreate(exchange, symbol, out _, out var error))
                {
                    yield return new ValidationResult(error, [nameof(Exchanges), nameof(Symbols)]);
                }
            }
        }

        foreach (var (symbol, price) in InitialPrices)
        {
            if (price <= 0m)
            {
                yield return new ValidationResult($"Initial price of {symbol} must be positive, not {price}.", [nameof(InitialPrices)]);
            }
        }
    }
}
