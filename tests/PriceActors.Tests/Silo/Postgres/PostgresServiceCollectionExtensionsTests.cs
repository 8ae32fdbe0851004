using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class PostgresServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPostgresStore_HostStarts_MigratesAndServesThePostgresStoreAndItsHealthCheck()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Postgres:ConnectionString"] = database.ConnectionString });
        builder.Services.AddPostgresStore();
        using var host = builder.Build();

        await host.StartAsync();
        await host.Services.GetRequiredService<SchemaMigrator>().WaitUntilAppliedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var store = host.Services.GetRequiredService<IMarketStore>();
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        await host.StopAsync();

        Assert.IsType<PostgresStore>(store);
        Assert.Equal("postgres", store.GetStatistics().Kind);
        Assert.Equal(HealthStatus.Healthy, health.Entries["postgres"].Status);
        Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public void AddPostgresStore_NoConnectionString_FailsValidation()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPostgresStore();
        using var host = builder.Build();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PostgresOptions>>().Value);
    }
}
