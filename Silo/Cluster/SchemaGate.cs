using PriceActors.Silo.Postgres;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Holds the start of what follows it (the Orleans silo, whose membership, reminders and streams live in PostgreSQL)
/// until the schema migrator has applied the schema; the migrator retries while the database is unreachable.
/// </summary>
internal sealed partial class SchemaGate(SchemaMigrator migrator, ILogger<SchemaGate> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogWaiting();
        await migrator.WaitUntilAppliedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Waiting for the PostgreSQL schema before the silo joins its cluster")]
    private partial void LogWaiting();
}
