using PriceActors.Grains.Pairs;

namespace PriceActors.Tests.Grains.Pairs;

public sealed class WindowAggregateTests
{
    [Fact]
    public void Add_PricesUpAndDown_TracksFirstLastHighLow()
    {
        var aggregate = default(WindowAggregate);

        foreach (var price in new[] { 5m, 7m, 3m, 6m })
        {
            aggregate.Add(price, 1m);
        }

        Assert.Equal((5m, 6m, 7m, 3m, 4L), (aggregate.First, aggregate.Last, aggregate.High, aggregate.Low, aggregate.Count));
    }

    [Fact]
    public void Average_RepeatingDecimal_IsRoundedToTwelvePlaces()
    {
        var aggregate = default(WindowAggregate);
        aggregate.Add(1m, 1m);
        aggregate.Add(1m, 1m);
        aggregate.Add(2m, 1m);

        Assert.Equal(1.333333333333m, aggregate.Average);
        Assert.Equal(1.333333333333m, aggregate.Vwap);
    }

    [Fact]
    public void Vwap_Quantities_WeighsPricesAndRoundsToTwelvePlaces()
    {
        var aggregate = default(WindowAggregate);
        aggregate.Add(1m, 2m);
        aggregate.Add(2m, 1m);

        Assert.Equal(1.333333333333m, aggregate.Vwap);
        Assert.Equal(1.5m, aggregate.Average);
        Assert.Equal(3m, aggregate.Volume);
    }

    [Fact]
    public void Average_Empty_IsZero()
    {
        var aggregate = default(WindowAggregate);

        Assert.Equal((0m, 0m), (aggregate.Average, aggregate.Vwap));
    }
}
