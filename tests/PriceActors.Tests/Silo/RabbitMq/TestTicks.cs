using PriceActors.Grains;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Deterministic trades for the tick stream tests; trade ids count from 1 per instrument.</summary>
internal static class TestTicks
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    public static InstrumentKey Instrument(int i) => InstrumentKey.Create("test", $"SYM{i}.X");

    public static Tick Tick(InstrumentKey instrument, long tradeId) => new(
        instrument,
        100.10m + (tradeId * 0.01m),
        0.000123m * tradeId,
        tradeId,
        Start.AddMilliseconds(tradeId),
        Start.AddMilliseconds(tradeId + 3));

    public static TickBatch Batch(InstrumentKey instrument, long fromTradeId, int count) =>
        new(instrument, Enumerable.Range(0, count).Select(i => Tick(instrument, fromTradeId + i)).ToArray());
}
