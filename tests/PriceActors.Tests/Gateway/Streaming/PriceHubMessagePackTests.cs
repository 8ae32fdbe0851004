using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using PriceActors.Grains;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>The hub in the MessagePack protocol, spoken to by the official .NET SignalR client.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class PriceHubMessagePackTests(EmbeddedGatewayFixture system)
{
    [Fact]
    public async Task Subscribe_OverMessagePack_ReceivesRisingUpdates_AndRefusalsAsHubErrors()
    {
        var updates = Channel.CreateUnbounded<PriceUpdated>();
        await using var connection = new HubConnectionBuilder().WithUrl(system.HubAddress).AddMessagePackProtocol().Build();
        connection.On<PriceUpdated>("priceUpdated", update => updates.Writer.TryWrite(update));
        await connection.StartAsync();

        var subscribed = await connection.InvokeAsync<string[]>("Subscribe", new[] { "okx:ethusdt" });
        var first = await updates.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var second = await updates.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var latest = await system.Services.GetRequiredService<IGrainFactory>().GetGrain<IPairGrain>("okx:ETHUSDT").GetLatestPriceAsync();

        Assert.Equal(["okx:ETHUSDT"], subscribed);
        Assert.Equal(("okx", "ETHUSDT"), (first.Exchange, first.Symbol));
        Assert.True((second.Epoch, second.Sequence).CompareTo((first.Epoch, first.Sequence)) > 0);
        Assert.True(latest!.Sequence >= second.Sequence);
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<string[]>("Subscribe", new[] { "nowhere:XYZ" }));
        Assert.Contains("nowhere:XYZ", refused.Message, StringComparison.Ordinal);
    }
}
