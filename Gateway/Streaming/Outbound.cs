using System.Text.Json;
using PriceActors.Grains;
using PriceActors.Silo.Hosting;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// A message on its way to a subscriber. One instance of a live update is shared by every subscriber of its instrument,
/// so its JSON is made once however many WebSocket and SSE connections send it.
/// </summary>
public abstract class Outbound
{
    /// <summary>camelCase, as the REST API and the hub's JSON protocol.</summary>
    internal static readonly JsonSerializerOptions Json = CreateJson();

    private byte[]? json;

    /// <summary>The message's payload as UTF-8 JSON, made on first use.</summary>
    public ReadOnlyMemory<byte> Utf8Json => json ??= JsonSerializer.SerializeToUtf8Bytes(Payload, Payload.GetType(), Json);

    /// <summary>What the transport sends.</summary>
    public abstract object Payload { get; }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.Configure(options);
        return options;
    }
}

/// <summary>A price update; <paramref name="conflated"/> when merged from several.</summary>
/// <param name="instrument">The update's instrument.</param>
/// <param name="update">The update.</param>
/// <param name="conflated">Whether the gateway merged it from several.</param>
public sealed class PriceOut(InstrumentKey instrument, PriceUpdated update, bool conflated) : Outbound
{
    private LivePrice? wire;

    /// <summary>The instrument.</summary>
    public InstrumentKey Instrument { get; } = instrument;

    /// <summary>The pair's update.</summary>
    public PriceUpdated Update { get; } = update;

    /// <summary>Whether the gateway merged it from several.</summary>
    public bool Conflated { get; } = conflated;

    /// <summary>Its wire form.</summary>
    public LivePrice Wire => wire ??= LivePrice.From(Update, Conflated);

    /// <inheritdoc/>
    public override object Payload => Wire;
}

/// <summary>A closed minute bar.</summary>
/// <param name="bar">The bar.</param>
public sealed class BarOut(MinuteBar bar) : Outbound
{
    /// <summary>The bar.</summary>
    public MinuteBar Bar { get; } = bar;

    /// <inheritdoc/>
    public override object Payload => Bar;
}

/// <summary>A resumed instrument's gap could not be filled; its snapshot follows.</summary>
/// <param name="reset">What the client is told.</param>
public sealed class ResetOut(StreamReset reset) : Outbound
{
    /// <summary>What the client is told.</summary>
    public StreamReset Reset { get; } = reset;

    /// <inheritdoc/>
    public override object Payload => Reset;
}

/// <summary>Completes once every message queued before it has been written (a subscribe call returns after its snapshots).</summary>
public sealed class MarkerOut : Outbound
{
    /// <summary>Completed after the write, cancelled when the connection ends first.</summary>
    public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    public override object Payload => string.Empty;
}
