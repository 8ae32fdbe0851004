using System.Globalization;
using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>A candle of a subscription's interval, sent once it closed (its end plus a grace for late trades).</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Interval">The interval's name, e.g. <c>5s</c>, <c>1m</c>.</param>
/// <param name="OpenTime">Start, aligned to the interval.</param>
/// <param name="CloseTime">Its last millisecond.</param>
/// <param name="Open">First trade price.</param>
/// <param name="High">Highest trade price.</param>
/// <param name="Low">Lowest trade price.</param>
/// <param name="Close">Last trade price.</param>
/// <param name="Volume">Traded quantity.</param>
/// <param name="Count">Trades.</param>
public sealed record ClosedCandle(
    string Exchange,
    string Symbol,
    string Interval,
    DateTimeOffset OpenTime,
    DateTimeOffset CloseTime,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    long Count)
{
    /// <summary>The wire form of a pair's candle.</summary>
    /// <param name="instrument">The candle's instrument.</param>
    /// <param name="interval">Its length.</param>
    /// <param name="candle">The candle.</param>
    public static ClosedCandle From(InstrumentKey instrument, TimeSpan interval, Candle candle) => new(
        instrument.Exchange,
        instrument.Symbol,
        NameOf(interval),
        candle.OpenTime,
        candle.CloseTime,
        candle.Open,
        candle.High,
        candle.Low,
        candle.Close,
        candle.Volume,
        candle.Count);

    /// <summary>An interval's name: <c>5s</c>, <c>1m</c>, <c>4h</c>, <c>1d</c>.</summary>
    /// <param name="interval">The interval.</param>
    public static string NameOf(TimeSpan interval) => interval switch
    {
        { TotalDays: >= 1 } when interval.Ticks % TimeSpan.TicksPerDay == 0 => string.Create(CultureInfo.InvariantCulture, $"{interval.TotalDays:0}d"),
        { TotalHours: >= 1 } when interval.Ticks % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{interval.TotalHours:0}h"),
        { TotalMinutes: >= 1 } when interval.Ticks % TimeSpan.TicksPerMinute == 0 => string.Create(CultureInfo.InvariantCulture, $"{interval.TotalMinutes:0}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{interval.TotalSeconds:0}s"),
    };
}

/// <summary>A closed candle on its way to the subscribers of its interval.</summary>
/// <param name="closed">The candle.</param>
public sealed class CandleOut(ClosedCandle closed) : Outbound
{
    /// <summary>The candle.</summary>
    public ClosedCandle Closed { get; } = closed;

    /// <inheritdoc/>
    public override object Payload => Closed;
}
