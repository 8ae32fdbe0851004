using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PriceActors.Silo.Health;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class PostgresHealthCheckTests
{
    [Fact]
    public async Task CheckHealthAsync_DatabaseAnswers_IsHealthy()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestServers.Postgres);

        var result = await new PostgresHealthCheck(dataSource).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task CheckHealthAsync_NothingListens_IsUnhealthyWithTheReason()
    {
        // Port 1 on loopback: connection refused at once, like a stopped server.
        var unreachable = new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Port = 1, Pooling = false }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(unreachable);

        var result = await new PostgresHealthCheck(dataSource).CheckHealthAsync(new HealthCheckContext()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("PostgreSQL is unavailable:", result.Description, StringComparison.Ordinal);
    }
}
