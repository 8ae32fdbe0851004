using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains.Streams;

public sealed class PartitionMapTests
{
    // FNV-1a of the canonical key, computed outside .NET: a change of hash moves instruments
    // between partitions, which mixed versions of a cluster must never disagree on.
    [Theory]
    [InlineData("binance:BTCUSDT", 16, 0)]
    [InlineData("bybit:ETHUSDT", 16, 2)]
    [InlineData("okx:SOLUSDT", 16, 5)]
    [InlineData("binance:DOGEUSDT", 16, 12)]
    [InlineData("okx:TONUSDT", 16, 14)]
    [InlineData("bybit:ETHUSDT", 7, 4)]
    [InlineData("okx:SOLUSDT", 1024, 933)]
    [InlineData("binance:DOGEUSDT", 1024, 236)]
    public void PartitionOf_KnownInstrument_IsStable(string instrument, int partitions, int expected)
    {
        Assert.Equal(expected, PartitionMap.PartitionOf(InstrumentKey.Parse(instrument), partitions));
    }

    [Fact]
    public void PartitionOf_SameInstrumentWrittenDifferently_SamePartition()
    {
        Assert.Equal(
            PartitionMap.PartitionOf(InstrumentKey.Parse("binance:BTCUSDT"), 16),
            PartitionMap.PartitionOf(InstrumentKey.Parse("BINANCE:btcusdt"), 16));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void PartitionOf_LessThanOnePartition_Throws(int partitions)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionMap.PartitionOf(InstrumentKey.Parse("binance:BTCUSDT"), partitions));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1024)]
    [InlineData(int.MaxValue)]
    public void PartitionOf_ManyInstruments_InRange(int partitions)
    {
        foreach (var instrument in ManyInstruments())
        {
            Assert.InRange(PartitionMap.PartitionOf(instrument, partitions), 0, partitions - 1);
        }
    }

    [Fact]
    public void PartitionOf_ManyInstruments_UsesEveryPartition()
    {
        var used = ManyInstruments().Select(i => PartitionMap.PartitionOf(i, 16)).Distinct().Count();

        Assert.Equal(16, used);
    }

    private static IEnumerable<InstrumentKey> ManyInstruments() =>
        new[] { "binance", "bybit", "okx" }.SelectMany(e => Enumerable.Range(1, 300).Select(i => InstrumentKey.Create(e, $"SYN{i:D4}USDT")));
}
