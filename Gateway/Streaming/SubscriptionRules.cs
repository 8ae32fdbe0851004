using System.Diagnostics.CodeAnalysis;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Streaming;

/// <summary>How every transport checks what a client subscribes to, with the same messages.</summary>
public static class SubscriptionRules
{
    /// <summary>Validates instrument names against the catalog, dropping repeats.</summary>
    /// <param name="instruments">The names, <c>exchange:SYMBOL</c> in any case.</param>
    /// <param name="catalog">The known instruments.</param>
    /// <param name="max">Most names accepted at once.</param>
    /// <param name="keys">The canonical keys, in the order given.</param>
    /// <param name="error">Why they are not accepted.</param>
    /// <returns>False with <paramref name="error"/> set when a name is missing, malformed or unknown.</returns>
    public static bool TryResolve(
        IReadOnlyCollection<string?>? instruments,
        IInstrumentCatalog catalog,
        int max,
        out List<InstrumentKey> keys,
        [NotNullWhen(false)] out string? error) => TryResolve(instruments, catalog, max, out keys, out error, out _);

    /// <summary>Validates instrument names; <paramref name="unknown"/> tells an unknown instrument from a malformed request.</summary>
    /// <param name="instruments">The names, <c>exchange:SYMBOL</c> in any case.</param>
    /// <param name="catalog">The known instruments.</param>
    /// <param name="max">Most names accepted at once.</param>
    /// <param name="keys">The canonical keys, in the order given.</param>
    /// <param name="error">Why they are not accepted.</param>
    /// <param name="unknown">True when the names are well formed but one is not a known instrument.</param>
    /// <returns>False with <paramref name="error"/> set when a name is missing, malformed or unknown.</returns>
    public static bool TryResolve(
        IReadOnlyCollection<string?>? instruments,
        IInstrumentCatalog catalog,
        int max,
        out List<InstrumentKey> keys,
        [NotNullWhen(false)] out string? error,
        out bool unknown)
    {
        keys = [];
        unknown = false;
        if (instruments is null || instruments.Count == 0)
        {
            error = "Name at least one instrument, e.g. [\"binance:BTCUSDT\"].";
            return false;
        }

        if (instruments.Count > max)
        {
            error = $"At most {max} instruments per subscription, not {instruments.Count}.";
            return false;
        }

        foreach (var text in instruments)
        {
            if (!InstrumentKey.TryParse(text, out var key, out error))
            {
                return false;
            }

            if (!catalog.Contains(key))
            {
                error = $"Unknown instrument '{key}'. GET /instruments lists the known ones.";
                unknown = true;
                return false;
            }

            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        error = null;
        return true;
    }

    /// <summary>Validates resume positions: each names a subscribed instrument and a non-negative epoch and sequence.</summary>
    /// <param name="since">Positions by instrument name, or null.</param>
    /// <param name="keys">The instruments subscribed.</param>
    /// <param name="positions">The positions by key, or null when none were given.</param>
    /// <param name="error">Why they are not accepted.</param>
    /// <returns>False with <paramref name="error"/> set when a position is malformed or names an instrument not subscribed.</returns>
    public static bool TryResolvePositions(
        IReadOnlyDictionary<string, StreamPosition>? since,
        IReadOnlyCollection<InstrumentKey> keys,
        out Dictionary<InstrumentKey, StreamPosition>? positions,
        [NotNullWhen(false)] out string? error)
    {
        positions = null;
        error = null;
        if (since is null || since.Count == 0)
        {
            return true;
        }

        positions = [];
        foreach (var (name, position) in since)
        {
            if (!InstrumentKey.TryParse(name, out var key, out error))
            {
                return false;
            }

            if (!keys.Contains(key))
            {
                error = $"'since' names {key}, which is not among the instruments subscribed.";
                return false;
            }

            if (position.Epoch < 0 || position.Sequence < 0)
            {
                error = $"The position of {key} needs an epoch and a sequence of 0 or more.";
                return false;
            }

            positions[key] = position;
        }

        return true;
    }

    /// <summary>Validates a per-instrument update rate: 0 (every update) or more.</summary>
    /// <param name="maxUpdatesPerSecond">The rate asked for.</param>
    /// <param name="error">Why it is not accepted.</param>
    public static bool TryRate(double maxUpdatesPerSecond, [NotNullWhen(false)] out string? error)
    {
        error = maxUpdatesPerSecond < 0 || double.IsNaN(maxUpdatesPerSecond) || double.IsInfinity(maxUpdatesPerSecond)
            ? $"maxUpdatesPerSecond must be 0 (every update) or more, not {maxUpdatesPerSecond}."
            : null;
        return error is null;
    }

    /// <summary>Reads a candle interval: null takes <paramref name="absent"/>, empty or <c>none</c> asks for no candles.</summary>
    /// <param name="text">The interval's name (<c>5s</c>, <c>1m</c>… as the candles endpoint takes), or null.</param>
    /// <param name="absent">The interval when none is named.</param>
    /// <param name="interval">The interval; zero for none.</param>
    /// <param name="error">Why the name is not accepted.</param>
    public static bool TryCandleInterval(string? text, TimeSpan absent, out TimeSpan interval, [NotNullWhen(false)] out string? error)
    {
        error = null;
        interval = TimeSpan.Zero;
        if (text is null)
        {
            interval = absent;
            return true;
        }

        if (text.Length == 0 || text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (Api.CandleEndpoints.Intervals.TryGetValue(text, out interval))
        {
            return true;
        }

        error = $"Candle interval '{text}' is not valid: use one of {string.Join(", ", Api.CandleEndpoints.Intervals.Keys)}, or none.";
        return false;
    }
}
