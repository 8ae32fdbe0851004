using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PriceActors.Gateway;

namespace PriceActors.Tests.Support;

/// <summary>
/// Starts the embedded system — gateway, silo, synthetic feeds — once for a test collection, on a
/// free loopback port, exactly as <c>dotnet run --project Gateway</c> does but with faster feeds.
/// </summary>
public sealed class EmbeddedGatewayFixture : IAsyncLifetime
{
    public const int TicksPerSecond = 20;

    private WebApplication? app;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => app!.Services;

    public Uri HubAddress => new(BaseAddress, "/hubs/prices");

    /// <summary>The gRPC endpoint (HTTP/2 without TLS).</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var grpcPort = FreePort.Next();
        app = PriceGateway.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Production",
            $"--Feeds:Synthetic:TicksPerSecond={TicksPerSecond}",
            "--Logging:LogLevel:Default=Warning",
            $"--Orleans:SiloPort={FreePort.Next()}",
            $"--Streaming:GrpcPort={grpcPort}",
        ]);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        BaseAddress = addresses.Single(a => a.Port != grpcPort);
        GrpcAddress = addresses.Single(a => a.Port == grpcPort);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForFirstPricesAsync();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task WaitForFirstPricesAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var instruments = await Http.GetFromJsonAsync<List<InstrumentRow>>("/instruments");
            if (instruments is { Count: > 0 } && instruments.All(i => i.Price is not null))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The embedded system produced no price for every instrument within 20 s.");
    }

    private sealed record InstrumentRow(string Exchange, string Symbol, decimal? Price);
}

[CollectionDefinition(Name)]
public sealed class EmbeddedGatewayCollection : ICollectionFixture<EmbeddedGatewayFixture>
{
    public const string Name = "embedded gateway";
}
