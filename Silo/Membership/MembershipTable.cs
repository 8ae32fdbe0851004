using Npgsql;

namespace PriceActors.Silo.Membership;

/// <summary>
/// The <c>silos</c> table (the Orleans membership table's role). Times come from the database clock,
/// so silos with skewed clocks agree on who is dead.
/// </summary>
public sealed class MembershipTable(NpgsqlDataSource dataSource)
{
    private const string RegisterSql = """
        INSERT INTO silos (silo_id, host, process_id, started_at, heartbeat_at, status)
        VALUES ($1, $2, $3, $4, now(), 'joining')
        ON CONFLICT (silo_id) DO UPDATE SET heartbeat_at = now(), status = 'joining'
        """;

    // A silo already declared dead gets no row back: it must not carry on as if alive. It turns active only
    // once ready (subscribed to every partition): other silos hand partitions over to active silos only.
    private const string HeartbeatSql = """
        UPDATE silos
        SET heartbeat_at = now(), partitions = $2,
            status = CASE WHEN status = 'joining' AND $3 THEN 'active' ELSE status END
        WHERE silo_id = $1 AND status <> 'dead'
        RETURNING status
        """;

    private const string MarkDeadSql = """
        UPDATE silos SET status = 'dead'
        WHERE status <> 'dead' AND heartbeat_at < now() - $1
        RETURNING silo_id
        """;

    private const string ForgetSql = "DELETE FROM silos WHERE status = 'dead' AND heartbeat_at < now() - $1";

    private const string Columns = "silo_id, host, process_id, started_at, heartbeat_at, status, partitions";

    private const string ListSql = $"SELECT {Columns} FROM silos ORDER BY started_at, silo_id";

    private const string ListLiveSql = $"SELECT {Columns} FROM silos WHERE status = 'active' AND heartbeat_at > now() - $1 ORDER BY started_at, silo_id";

    /// <summary>Adds (or re-adds) this silo as joining.</summary>
    public async Task RegisterAsync(SiloIdentity silo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RegisterSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = silo.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = silo.Host });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.ProcessId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = silo.StartedAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Writes a heartbeat of a silo ready to own partitions; false when the silo was declared dead meanwhile.</summary>
    public Task<bool> HeartbeatAsync(string siloId, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken) =>
        HeartbeatAsync(siloId, partitions, ready: true, cancellationToken);

    /// <summary>Writes a heartbeat; false when the silo was declared dead meanwhile.</summary>
    /// <param name="siloId">The silo.</param>
    /// <param name="partitions">The partitions it owns now.</param>
    /// <param name="ready">Whether a joining silo is ready to own partitions (only then does it turn active).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<bool> HeartbeatAsync(string siloId, IReadOnlyCollection<int> partitions, bool ready, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(HeartbeatSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = siloId });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. partitions] });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = ready });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Sets a status (graceful shutdown).</summary>
    public async Task SetStatusAsync(string siloId, SiloStatus status, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE silos SET status = $2, heartbeat_at = now() WHERE silo_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = siloId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ToText(status) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Declares dead every silo silent for longer than <paramref name="deadAfter"/>, forgets long-dead ones; returns the newly dead.</summary>
    public async Task<IReadOnlyList<string>> MarkDeadAsync(TimeSpan deadAfter, TimeSpan forgetAfter, CancellationToken cancellationToken)
    {
        await using (var forget = dataSource.CreateCommand(ForgetSql))
        {
            forget.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = forgetAfter });
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = dataSource.CreateCommand(MarkDeadSql);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = deadAfter });
        var dead = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            dead.Add(reader.GetString(0));
        }

        return dead;
    }

    /// <summary>Every silo in the table, oldest first.</summary>
    public async Task<IReadOnlyList<SiloRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ListSql);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>The active silos whose last heartbeat is younger than <paramref name="heartbeatWithin"/> (database clock), oldest first.</summary>
    public async Task<IReadOnlyList<SiloRecord>> ListLiveAsync(TimeSpan heartbeatWithin, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ListLiveSql);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = heartbeatWithin });
        return await ReadAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<SiloRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var silos = new List<SiloRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            silos.Add(new SiloRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                FromText(reader.GetString(5)),
                reader.GetFieldValue<int[]>(6)));
        }

        return silos;
    }

    private static string ToText(SiloStatus status) => status switch
    {
        SiloStatus.Joining => "joining",
        SiloStatus.Active => "active",
        SiloStatus.ShuttingDown => "shutting_down",
        _ => "dead",
    };

    private static SiloStatus FromText(string status) => status switch
    {
        "joining" => SiloStatus.Joining,
        "active" => SiloStatus.Active,
        "shutting_down" => SiloStatus.ShuttingDown,
        _ => SiloStatus.Dead,
    };
}
