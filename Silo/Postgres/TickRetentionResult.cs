namespace PriceActors.Silo.Postgres;

/// <summary>What one retention pass did.</summary>
/// <param name="Created">Daily tick partitions created.</param>
/// <param name="Dropped">Daily tick partitions dropped.</param>
/// <param name="Cutoff">Partitions of days before this one were dropped.</param>
public sealed record TickRetentionResult(int Created, int Dropped, DateOnly Cutoff);
