using Npgsql;
using PriceActors.Grains;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Finds the pairs whose last trade's minute has no closed bar: their bar was open when their activation died
/// (its silo with it) and only an activation closes it. Waking those pairs closes their last bar even when no
/// further trade comes.
/// </summary>
public sealed class OpenBarReader(NpgsqlDataSource dataSource)
{
    // pair_state has one row per instrument; each is checked by a primary-key lookup into minute_bars.
    private const string Sql = """
        SELECT p.exchange, p.symbol FROM pair_state p
        WHERE NOT EXISTS (
            SELECT 1 FROM minute_bars b
            WHERE b.exchange = p.exchange AND b.pair_name = p.symbol
              AND b."timestamp" = date_trunc('minute', p.last_exchange_time) AND b.epoch = p.epoch AND b.closed)
        """;

    /// <summary>Every instrument whose last trade's minute bar is not stored closed.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<InstrumentKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var open = new List<InstrumentKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (InstrumentKey.TryCreate(reader.GetString(0), reader.GetString(1), out var key, out _))
            {
                open.Add(key);
            }
        }

        return open;
    }
}
