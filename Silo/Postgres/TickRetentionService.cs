namespace PriceActors.Silo.Postgres;

/// <summary>
/// Runs <see cref="PostgresStore.EnforceRetentionAsync"/> at start and then every
/// <see cref="PostgresOptions.RetentionInterval"/>: upcoming daily tick partitions exist before their
/// day starts, expired ones are dropped whole. A failed pass is logged and retried at the next tick. Given the
/// <paramref name="schema"/> migrator, the first pass waits until the schema is applied.
/// </summary>
public sealed class TickRetentionService(
    PostgresStore store,
    Microsoft.Extensions.Options.IOptions<PostgresOptions> options,
    TimeProvider time,
    ILogger<TickRetentionService> logger,
    SchemaMigrator? schema = null) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (schema is not null)
        {
            await schema.WaitUntilAppliedAsync(stoppingToken);
        }

        var interval = options.Value.RetentionInterval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await store.EnforceRetentionAsync(stoppingToken);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                PostgresStoreLog.RetentionFailed(logger, error, interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
