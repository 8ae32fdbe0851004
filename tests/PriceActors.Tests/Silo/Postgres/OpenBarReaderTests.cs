using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class OpenBarReaderTests
{
    [Fact]
    public async Task ListAsync_PairsWithAndWithoutClosedLastBar_ListsOnlyThoseWhoseLastMinuteIsNotClosed()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        // open:  last trade 10:05:30, bar of 10:05 stored open.      closed: last trade 10:05:30, bar of 10:05 closed.
        // never: last trade 10:05:30, no bar at all.                  older: last trade 10:06:00, only 10:05 closed.
        await database.ExecuteAsync("""
            INSERT INTO pair_state (exchange, symbol, epoch, last_sequence, last_trade_id, last_price, last_quantity, last_exchange_time, last_receive_time)
            SELECT 'binance', s, 1, 1, 1, 1, 1, t, t
            FROM (VALUES ('OPENUSDT', timestamptz '2026-11-21 10:05:30Z'), ('CLOSEDUSDT', timestamptz '2026-11-21 10:05:30Z'),
                         ('NEVERUSDT', timestamptz '2026-11-21 10:05:30Z'), ('OLDERUSDT', timestamptz '2026-11-21 10:06:00Z')) AS v(s, t);
            INSERT INTO minute_bars (exchange, pair_name, "timestamp", open_price, max_price, min_price, close_price, average_price, vwap, trade_count, volume, last_sequence, closed, epoch)
            VALUES ('binance', 'OPENUSDT', '2026-11-21 10:05:00Z', 1, 1, 1, 1, 1, 1, 1, 1, 1, false, 1),
                   ('binance', 'CLOSEDUSDT', '2026-11-21 10:05:00Z', 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 1),
                   ('binance', 'OLDERUSDT', '2026-11-21 10:05:00Z', 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 1);
            """);

        var open = await new OpenBarReader(database.DataSource).ListAsync(CancellationToken.None);

        Assert.Equal(["binance:NEVERUSDT", "binance:OLDERUSDT", "binance:OPENUSDT"], open.Select(k => k.Value).Order());
    }
}
