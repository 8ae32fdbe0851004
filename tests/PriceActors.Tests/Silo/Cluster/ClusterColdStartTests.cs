using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Grains;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// A silo and a gateway started while RabbitMQ and PostgreSQL are both down, as after a host reboot where the
/// servers come up last: both processes listen and stay up, their readiness says what is missing, and once the
/// servers are back the silo applies the schema, takes the partitions and stores every tick published meanwhile.
/// </summary>
[Collection(ClusterProcessCollection.Name)]
public sealed class ClusterColdStartTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const int Batches = 20;
    private const int TicksPerBatch = 5;
    private static readonly InstrumentKey[] Instruments = [InstrumentKey.Create("test", "COLDUSDT"), InstrumentKey.Create("test", "WARMUSDT")];

    [Fact]
    public async Task SiloAndGatewayStartedWithBothServersDown_StayUpSayWhyAndStoreEveryTickOnceTheyReturn()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await using var bus = new RabbitMqTestBus(Partitions);
        string[] settings =
        [
            .. bus.ProcessSettings(),
            "--Feeds:Synthetic:Exchanges:0", "test",
            .. Instruments.SelectMany((instrument, i) => new[] { $"--Feeds:Synthetic:Symbols:{i}", instrument.Symbol }),
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            "--Logging:LogLevel:PriceActors.Gateway.Hosting", "Information",
        ];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var processes = new ProcessList();
        SiloProcess silo;
        GatewayProcess gateway;
        try
        {
            TestServers.Run("stop-rabbitmq");
            TestServers.Run("stop-postgres");
            silo = processes.Add(await SiloProcess.StartAsync(["--Postgres:ConnectionString", database.ConnectionString, .. settings]));
            gateway = processes.Add(await GatewayProcess.StartAsync(["--PriceActors:Mode", "Cluster", .. settings]));
            await Readiness.WaitForAsync(http, silo.Address, HttpStatusCode.ServiceUnavailable, output, "RabbitMQ unavailable", "PostgreSQL is unavailable", "the schema is not applied yet");
            await Readiness.WaitForAsync(http, gateway.Address, HttpStatusCode.ServiceUnavailable, output, "RabbitMQ unavailable");

            TestServers.Run("start-rabbitmq");
            await Readiness.WaitForAsync(http, gateway.Address, HttpStatusCode.OK, output);
            // Published while the silo cannot store them: they wait in the partitions' queues.
            await PublishAsync(bus);
            await Readiness.WaitForAsync(http, silo.Address, HttpStatusCode.ServiceUnavailable, output, "PostgreSQL is unavailable", "the schema is not applied yet");
        }
        finally
        {
            TestServers.Run("start-rabbitmq");
            TestServers.Run("start-postgres");
        }

        await Readiness.WaitForAsync(http, silo.Address, HttpStatusCode.OK, output);
        const long expected = (long)Batches * TicksPerBatch;
        await Eventually.WaitUntilAsync(() => database.ScalarAsync<long>("SELECT count(*) FROM ticks"), n => n == Instruments.Length * expected, "every tick in PostgreSQL", TimeSpan.FromSeconds(60));
        Assert.Equal(Instruments.Length * expected, await database.ScalarAsync<long>("SELECT count(DISTINCT (exchange, symbol, trade_id)) FROM ticks"));
        foreach (var instrument in Instruments)
        {
            var stats = await http.GetFromJsonAsync<JsonElement>(new Uri(gateway.Address, $"/prices/stats/{instrument.Exchange}/{instrument.Symbol}"));
            Assert.Equal(expected, stats.GetProperty("count").GetInt64());
        }

        Assert.False(silo.HasExited, "the silo exited");
        Assert.False(gateway.HasExited, "the gateway exited");
        Assert.Contains(silo.Log, line => line.Contains("\"EventId\":5009", StringComparison.Ordinal) && line.Contains("Cannot apply the schema", StringComparison.Ordinal));
        Assert.Equal((long)PriceActors.Silo.Postgres.SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        output.WriteLine($"{Instruments.Length * expected} ticks published while PostgreSQL was down, each stored once; neither process restarted");
    }

    /// <summary>The processes started so far, killed at the end whether the test passed or not.</summary>
    private sealed class ProcessList : IAsyncDisposable
    {
        private readonly List<ServiceProcess> started = [];

        public T Add<T>(T process)
            where T : ServiceProcess
        {
            started.Add(process);
            return process;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }
        }
    }

    private static async Task PublishAsync(RabbitMqTestBus bus)
    {
        await using var feed = bus.NewTickStream();
        var now = DateTimeOffset.UtcNow;
        for (var b = 0; b < Batches; b++)
        {
            foreach (var instrument in Instruments)
            {
                var ticks = Enumerable.Range(1 + (b * TicksPerBatch), TicksPerBatch)
                    .Select(id => new Tick(instrument, 100m + (id * 0.01m), 1m, id, now, now))
                    .ToArray();
                await feed.PublishAsync(new TickBatch(instrument, ticks), CancellationToken.None);
            }
        }
    }
}
