namespace PriceActors.Silo.Postgres;

/// <summary>How the group-commit writer stores a row's ticks in <c>tick_batches</c> (<see cref="PostgresOptions.TickRowLayout"/>).</summary>
public enum TickRowLayout
{
    /// <summary>One compact <c>packed</c> column (sql/005_packed_ticks.sql): read by silos of schema version 5 and later.</summary>
    Packed,

    /// <summary>Eight per-tick arrays (sql/003_tick_batches.sql): what silos before schema version 5 read.</summary>
    Arrays,
}
