using PriceActors.Grains;

namespace PriceActors.Tests.Support;

/// <summary>Trades a test publishes as the exchange: numbered per instrument from 1, so stored sequences equal trade ids.</summary>
internal static class TestTicks
{
    /// <summary>The <paramref name="size"/> trades of <paramref name="instrument"/> in round <paramref name="round"/>, a millisecond apart from <paramref name="at"/>.</summary>
    public static TickBatch Batch(InstrumentKey instrument, int round, DateTimeOffset at, int size)
    {
        var ticks = new Tick[size];
        for (var i = 0; i < size; i++)
        {
            var tradeId = ((long)round * size) + i + 1;
            var time = at + TimeSpan.FromMilliseconds(i);
            ticks[i] = new Tick(instrument, 100m + (tradeId % 97 * 0.01m), 0.5m + (tradeId % 7 * 0.25m), tradeId, time, time);
        }

        return new TickBatch(instrument, ticks);
    }
}
