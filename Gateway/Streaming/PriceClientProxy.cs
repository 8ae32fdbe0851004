using Microsoft.AspNetCore.SignalR;
using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// <see cref="IPriceClient"/> over a SignalR client proxy, with the camel-case method names the
/// protocol documents (a typed hub would send the C# names).
/// </summary>
internal readonly struct PriceClientProxy(IClientProxy proxy) : IPriceClient
{
    public const string PriceUpdatedMethod = "priceUpdated";
    public const string MinuteBarClosedMethod = "minuteBarClosed";

    public Task PriceUpdated(PriceUpdated update) => proxy.SendAsync(PriceUpdatedMethod, update);

    public Task MinuteBarClosed(MinuteBar bar) => proxy.SendAsync(MinuteBarClosedMethod, bar);
}
