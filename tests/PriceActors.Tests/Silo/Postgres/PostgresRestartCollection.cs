namespace PriceActors.Tests.Silo.Postgres;

/// <summary>
/// Tests that restart the shared PostgreSQL: run after the parallel tests and alone, so no other test
/// sees the outage. A class of its own: with the definition on the test class itself, its class
/// fixture database was created a second time and never dropped.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresRestartCollection
{
    public const string Name = "postgres-restart";
}
