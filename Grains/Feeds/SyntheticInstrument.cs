namespace PriceActors.Grains.Feeds;

/// <summary>
/// The random walk of one instrument: Poisson arrivals at the configured rate and a geometric
/// Brownian motion of the price, rounded to seven significant digits. Deterministic: the same
/// seed and start time give the same trades. Prices and quantities are built from integer units,
/// so they are exact decimals.
/// </summary>
internal sealed class SyntheticInstrument
{
    private const double SecondsPerYear = 365.25 * 24 * 3600;
    private readonly Random random;
    private readonly double meanGapTicks;
    private readonly double driftPerTick;
    private readonly double volatility;
    private readonly byte priceScale;
    private readonly double priceUnit;
    private readonly byte quantityScale;
    private readonly double quantityUnit;
    private readonly long originUtcTicks;
    private double logPrice;

    // An offset from the origin: absolute UTC ticks in a double resolve only ~13 µs today.
    private double nextOffsetTicks;
    private long lastTradeId;

    public SyntheticInstrument(InstrumentKey instrument, decimal initialPrice, SyntheticFeedOptions options, DateTimeOffset start)
    {
        Instrument = instrument;
        random = new Random(StableSeed(options.Seed, instrument.Value));
        meanGapTicks = TimeSpan.TicksPerSecond / options.TicksPerSecond;
        driftPerTick = options.Drift / SecondsPerYear / TimeSpan.TicksPerSecond;
        volatility = options.Volatility;
        var magnitude = (int)Math.Floor(Math.Log10((double)initialPrice));
        priceScale = (byte)Math.Clamp(6 - magnitude, 0, 10);
        priceUnit = Math.Pow(10, -priceScale);
        quantityScale = (byte)Math.Clamp(2 + magnitude, 0, 8);
        quantityUnit = Math.Pow(10, -quantityScale);
        logPrice = Math.Log((double)initialPrice);
        originUtcTicks = start.UtcTicks;
        nextOffsetTicks = NextGap();
    }

    public InstrumentKey Instrument { get; }

    /// <summary>When the next trade is due (UTC ticks).</summary>
    public long NextUtcTicks => originUtcTicks + (long)nextOffsetTicks;

    /// <summary>Makes the trades due before <paramref name="untilUtcTicks"/>, at most <paramref name="max"/>.</summary>
    public int GenerateDue(long untilUtcTicks, Span<Tick> into, DateTimeOffset receivedAt)
    {
        var count = 0;
        while (count < into.Length && NextUtcTicks < untilUtcTicks)
        {
            into[count++] = Next(NextUtcTicks, receivedAt);
            nextOffsetTicks += NextGap();
        }

        return count;
    }

    /// <summary>Makes <paramref name="into"/>.Length trades stamped <paramref name="now"/>, ignoring the schedule.</summary>
    public void GenerateNow(Span<Tick> into, DateTimeOffset now)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = Next(now.UtcTicks, now);
        }
    }

    /// <summary>Moves the schedule forward without trading, after a stall longer than the catch-up limit.</summary>
    public void SkipTo(long utcTicks) => nextOffsetTicks = Math.Max(nextOffsetTicks, utcTicks - originUtcTicks);

    private static int StableSeed(int seed, string key)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    private Tick Next(long utcTicks, DateTimeOffset receivedAt)
    {
        utcTicks -= utcTicks % TimeSpan.TicksPerMillisecond;
        var gapYears = meanGapTicks / TimeSpan.TicksPerSecond / SecondsPerYear;
        logPrice += (driftPerTick * meanGapTicks) - (0.5 * volatility * volatility * gapYears) + (volatility * Math.Sqrt(gapYears) * Gaussian());
        var priceUnits = Math.Max(1L, (long)Math.Round(Math.Exp(logPrice) / priceUnit));
        var notional = 500.0 * Math.Exp(Gaussian());
        var quantityUnits = Math.Max(1L, (long)Math.Round(notional / (priceUnits * priceUnit) / quantityUnit));
        lastTradeId = Math.Max(lastTradeId + 1, utcTicks);
        return new Tick(
            Instrument,
            new decimal((int)priceUnits, (int)(priceUnits >> 32), 0, false, priceScale),
            new decimal((int)quantityUnits, (int)(quantityUnits >> 32), 0, false, quantityScale),
            lastTradeId,
            new DateTimeOffset(utcTicks, TimeSpan.Zero),
            receivedAt);
    }

    private double NextGap() => -Math.Log(1.0 - random.NextDouble()) * meanGapTicks;

    private double Gaussian() =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
