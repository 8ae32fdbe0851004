using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>The packed tick layout in C# alone; TickBatchCopyEncoderTests has the server decode the same bytes.</summary>
public sealed class PackedTicksTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Create("binance", "BTCUSDT");
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_WrittenExtremes_SameTicksExactDecimals()
    {
        SequencedTick[] ticks =
        [
            new(1, new Tick(Btc, 1.10m, 0.5m, long.MinValue, DateTimeOffset.MinValue, Noon)),
            new(long.MaxValue, new Tick(Btc, decimal.MaxValue, decimal.MinValue, long.MaxValue, DateTimeOffset.MaxValue, DateTimeOffset.MinValue)),
            new(-5, new Tick(Btc, -0.00000001m, 9_223_372_036_854_775_807m, 0, Noon, Noon.AddTicks(-1))),
            new(3, new Tick(Btc, 1e-28m, -9_223_372_036_854_775_807m, -1, Noon.AddTicks(1), Noon.AddTicks(1))),
            new(4, new Tick(Btc, 18446744073709551616m, 1.0000000000000000000000000001m, 7, Noon, Noon)),
        ];

        var read = RoundTrip(ticks, out _);

        Assert.Equal(ticks, read);
        Assert.Equal(ticks.Select(t => decimal.GetBits(t.Tick.Price)), read.Select(t => decimal.GetBits(t.Tick.Price)));
        Assert.Equal(ticks.Select(t => decimal.GetBits(t.Tick.Quantity)), read.Select(t => decimal.GetBits(t.Tick.Quantity)));
    }

    [Fact]
    public void Read_NegativeZero_ComesBackAsZeroOfTheSameScaleLikeNumeric()
    {
        var read = RoundTrip([new(1, new Tick(Btc, new decimal(0, 0, 0, true, 3), 1m, 1, Noon, Noon))], out _);

        Assert.Equal(decimal.GetBits(0.000m), decimal.GetBits(read[0].Tick.Price));
    }

    [Fact]
    public void Write_RealisticFeed_TenToTwentyBytesATick()
    {
        var ticks = RealisticFeed(Btc, 250, Noon, seed: 7);

        var read = RoundTrip(ticks, out var size);

        Assert.Equal(ticks, read);
        Assert.InRange(size, 10 * ticks.Length, 20 * ticks.Length);
    }

    [Fact]
    public void Write_OneTickOrEqualValues_ColumnsOfWidthZero()
    {
        var tick = new SequencedTick(9, new Tick(Btc, 5m, 5m, 9, Noon, Noon));

        var one = RoundTrip([tick], out var oneSize);
        var three = RoundTrip([tick, tick, tick], out var threeSize);

        Assert.Equal([tick], one);
        Assert.Equal([tick, tick, tick], three);
        Assert.Equal(75, oneSize); // the header alone
        Assert.Equal(75, threeSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(PackedTicks.MaxTicks + 1)]
    public void Write_NoTicksOrTooMany_Throws(int count)
    {
        var ticks = Enumerable.Repeat(new SequencedTick(1, new Tick(Btc, 1m, 1m, 1, Noon, Noon)), count).ToArray();

        Assert.Throws<ArgumentOutOfRangeException>(() => PackedTicks.Write(ticks, new byte[PackedTicks.MaxSize(Math.Max(count, 1))]));
    }

    [Fact]
    public void Read_MalformedValues_ThrowFormatExceptionSayingWhy()
    {
        var random = new Random(3);
        SequencedTick[] ticks =
        [
            .. Enumerable.Range(0, 20).Select(i => new SequencedTick(i, new Tick(Btc, 100m + random.Next(1000), decimal.MaxValue - i, i * 1000, Noon.AddTicks(i), Noon))),
        ];
        var buffer = new byte[PackedTicks.MaxSize(ticks.Length)];
        var good = buffer.AsSpan(0, PackedTicks.Write(ticks, buffer)).ToArray();

        Assert.Contains("shorter than their header", Malformed(good[..74]), StringComparison.Ordinal);
        Assert.Contains("layout 2", Malformed(With(good, 0, 2)), StringComparison.Ordinal);
        Assert.Contains("column 0 has width 9", Malformed(With(good, 3, 9)), StringComparison.Ordinal);
        Assert.Contains("column 4 has width 13", Malformed(With(good, 3 + 4, 13)), StringComparison.Ordinal);
        Assert.Contains("take", Malformed(good[..^1]), StringComparison.Ordinal);
        Assert.Contains("take", Malformed([.. good, 0]), StringComparison.Ordinal);
        Assert.Contains("0 ticks", Malformed([.. With(With(good, 1, 0), 2, 0)[..75]]), StringComparison.Ordinal);

        // A scale of 29 (base of column 4) and a time past DateTimeOffset.MaxValue (base of column 2).
        Assert.Contains("scale of 29", Malformed(WithLong(good, 11 + (8 * 4), 29)), StringComparison.Ordinal);
        Assert.Contains("out of range", Malformed(WithLong(good, 11 + (8 * 2), long.MaxValue - 100)), StringComparison.Ordinal);
        Assert.Equal(ticks, PackedTicks.Read(good, Btc));
    }

    /// <summary>
    /// A random walk of prices in cents around 97,000, quantities of 3 to 7 decimals, trade ids a step or three apart,
    /// up to 2 s between trades and 1 to 90 ms from trade to receipt.
    /// </summary>
    internal static SequencedTick[] RealisticFeed(InstrumentKey instrument, int count, DateTimeOffset start, int seed)
    {
        var random = new Random(seed);
        var ticks = new SequencedTick[count];
        var price = 97_000.12m;
        var time = start;
        for (var i = 0; i < ticks.Length; i++)
        {
            price += random.Next(-50, 51) * 0.01m;
            time = time.AddTicks(random.Next(0, 20_000_000));
            var quantity = Math.Round((decimal)random.NextDouble() * 3, random.Next(3, 8));
            ticks[i] = new(1_000 + i, new Tick(instrument, price, quantity, 5_000_000_000 + i + random.Next(0, 3), time, time.AddTicks(random.Next(10_000, 900_000))));
        }

        return ticks;
    }

    private static SequencedTick[] RoundTrip(SequencedTick[] ticks, out int size)
    {
        var buffer = new byte[PackedTicks.MaxSize(ticks.Length) + 10];
        size = PackedTicks.Write(ticks, buffer);
        Assert.InRange(size, 75, PackedTicks.MaxSize(ticks.Length));
        return PackedTicks.Read(buffer.AsSpan(0, size), Btc);
    }

    private static string Malformed(byte[] packed) => Assert.Throws<FormatException>(() => PackedTicks.Read(packed, Btc)).Message;

    private static byte[] With(byte[] packed, int at, byte value)
    {
        var copy = packed.ToArray();
        copy[at] = value;
        return copy;
    }

    private static byte[] WithLong(byte[] packed, int at, long value)
    {
        var copy = packed.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(copy.AsSpan(at), value);
        return copy;
    }
}
