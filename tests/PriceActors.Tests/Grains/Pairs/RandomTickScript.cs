using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>One batch of a script, and the exchange times of its first and last new trade.</summary>
internal sealed record ScriptBatch(Tick[] Ticks, DateTimeOffset? FirstNew, DateTimeOffset? LastNew);

/// <summary>
/// Random trades of one instrument as a feed would deliver them: increasing trade ids, non-decreasing
/// exchange times with ticks exactly on minute boundaries and one tick before them, equal times and
/// gaps of several empty minutes, batches of random sizes; mixed in are redeliveries of earlier
/// batches, late trades of a minute before the newest one and trades of another instrument.
/// </summary>
internal static class RandomTickScript
{
    public static IReadOnlyList<ScriptBatch> Generate(Random random, InstrumentKey instrument, InstrumentKey other, DateTimeOffset start, int batchCount)
    {
        var batches = new List<ScriptBatch>();
        var delivered = new List<Tick>();
        var time = start.UtcTicks;
        var tradeId = random.NextInt64(1, 1_000_000);
        var price = 100m + random.Next(0, 10_000);
        for (var b = 0; b < batchCount; b++)
        {
            var ticks = new List<Tick>();
            var fresh = new List<Tick>();
            var size = random.Next(10) == 0 ? random.Next(20, 60) : random.Next(0, 8);
            for (var i = 0; i < size; i++)
            {
                time = NextTime(random, time);
                tradeId += random.Next(1, 4);
                price = Math.Max(0.01m, price + (random.Next(-300, 301) / 100m));
                var tick = new Tick(instrument, price, random.Next(1, 5_000) / 1_000m, tradeId, At(time), At(time));
                ticks.Add(tick);
                fresh.Add(tick);
                if (random.Next(25) == 0)
                {
                    // A trade of a minute before the newest one: rejected, though its trade id is new.
                    var minute = time - (time % TimeSpan.TicksPerMinute);
                    var late = minute - 1 - random.NextInt64(0, 2 * TimeSpan.TicksPerMinute);
                    ticks.Add(tick with { TradeId = ++tradeId, ExchangeTime = At(late), Price = price + 1m });
                }

                if (random.Next(30) == 0)
                {
                    ticks.Add(tick with { Instrument = other, TradeId = random.Next(2) == 0 ? ++tradeId : 1 });
                }
            }

            if (delivered.Count > 0 && random.Next(4) == 0)
            {
                for (var r = random.Next(1, 4); r > 0; r--)
                {
                    ticks.Insert(random.Next(ticks.Count + 1), delivered[random.Next(Math.Max(0, delivered.Count - 20), delivered.Count)]);
                }
            }

            delivered.AddRange(fresh);
            batches.Add(fresh.Count == 0
                ? new ScriptBatch([.. ticks], null, null)
                : new ScriptBatch([.. ticks], fresh[0].ExchangeTime, fresh[^1].ExchangeTime));
        }

        return batches;
    }

    private static long NextTime(Random random, long time)
    {
        var minuteEnd = time - (time % TimeSpan.TicksPerMinute) + TimeSpan.TicksPerMinute;
        var r = random.NextDouble();
        return r switch
        {
            < 0.08 => minuteEnd,
            < 0.16 => minuteEnd - 1 > time ? minuteEnd - 1 : minuteEnd + TimeSpan.TicksPerMinute - 1,
            < 0.22 => time,
            < 0.25 => time + (random.Next(2, 7) * TimeSpan.TicksPerMinute) + random.NextInt64(TimeSpan.TicksPerMinute),
            _ => time + random.NextInt64(1, 6 * TimeSpan.TicksPerSecond),
        };
    }

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
