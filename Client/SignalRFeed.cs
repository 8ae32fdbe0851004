using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace PriceActors.Client;

/// <summary>The gateway's SignalR hub (<c>/hubs/prices</c>, JSON protocol), subscribed with <c>SubscribeWith</c>.</summary>
public sealed class SignalRFeed(ClientSettings settings) : IPriceFeed
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RunAsync(IReadOnlyDictionary<string, Position> since, Action<StreamEvent> received, CancellationToken cancellationToken)
    {
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(settings.Url, "/hubs/prices")).Build();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetException(error ?? new IOException("The gateway closed the connection."));
            return Task.CompletedTask;
        };
        connection.On<JsonElement>("priceUpdated", e => received(Price(e)));
        connection.On<JsonElement>("candleClosed", e => received(Candle(e)));
        connection.On<JsonElement>("streamReset", e => received(new ResetEvent(Key(e), e.GetProperty("epoch").GetInt64(), e.GetProperty("reason").GetString()!, e.GetProperty("message").GetString()!)));

        await connection.StartAsync(cancellationToken);
        var request = new
        {
            instruments = settings.Pairs,
            since = since.ToDictionary(p => p.Key, p => new { epoch = p.Value.Epoch, sequence = p.Value.Sequence }),
            maxUpdatesPerSecond = settings.MaxRate,
            candleInterval = settings.Interval,
        };
        await connection.InvokeAsync<string[]>("SubscribeWith", request, cancellationToken);
        await closed.Task.WaitAsync(cancellationToken);
    }

    private static string Key(JsonElement e) => $"{e.GetProperty("exchange").GetString()}:{e.GetProperty("symbol").GetString()}";

    private static PriceEvent Price(JsonElement e) => new(
        Key(e),
        e.GetProperty("price").GetDecimal(),
        e.GetProperty("quantity").GetDecimal(),
        e.GetProperty("timestamp").GetDateTimeOffset(),
        e.GetProperty("sequence").GetInt64(),
        e.GetProperty("epoch").GetInt64(),
        e.GetProperty("firstSequence").GetInt64(),
        e.GetProperty("conflated").GetBoolean());

    private static CandleEvent Candle(JsonElement e) => new(
        Key(e),
        e.GetProperty("interval").GetString()!,
        e.GetProperty("openTime").GetDateTimeOffset(),
        e.GetProperty("open").GetDecimal(),
        e.GetProperty("high").GetDecimal(),
        e.GetProperty("low").GetDecimal(),
        e.GetProperty("close").GetDecimal(),
        e.GetProperty("volume").GetDecimal(),
        e.GetProperty("count").GetInt64());
}
