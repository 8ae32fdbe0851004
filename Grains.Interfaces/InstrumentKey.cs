using System.Diagnostics.CodeAnalysis;

namespace PriceActors.Grains;

/// <summary>
/// The canonical name of an instrument on one exchange, <c>{exchange}:{SYMBOL}</c>, e.g.
/// <c>binance:BTCUSDT</c>: the exchange in lower case, the symbol in upper case, each 1 to 32
/// letters, digits, '.', '_' or '-'. Also the key of the instrument's <see cref="IPairGrain"/>.
/// </summary>
public readonly struct InstrumentKey : IEquatable<InstrumentKey>
{
    /// <summary>The longest exchange or symbol name accepted.</summary>
    public const int MaxPartLength = 32;

    private InstrumentKey(string exchange, string symbol)
    {
        Exchange = exchange;
        Symbol = symbol;
        Value = string.Concat(exchange, ":", symbol);
    }

    /// <summary>The exchange, lower case, e.g. <c>binance</c>.</summary>
    public string Exchange { get; }

    /// <summary>The symbol, upper case, e.g. <c>BTCUSDT</c>.</summary>
    public string Symbol { get; }

    /// <summary>The canonical key, e.g. <c>binance:BTCUSDT</c>.</summary>
    public string Value { get; }

    /// <summary>Normalizes and validates an exchange and symbol.</summary>
    /// <param name="exchange">Exchange name in any case.</param>
    /// <param name="symbol">Symbol in any case.</param>
    /// <param name="key">The key, when valid.</param>
    /// <param name="error">Why the input is not a valid key, when it is not.</param>
    public static bool TryCreate(string? exchange, string? symbol, out InstrumentKey key, [NotNullWhen(false)] out string? error)
    {
        key = default;
        if (!IsValidPart(exchange))
        {
            error = $"Exchange '{exchange}' is not valid: use 1 to {MaxPartLength} letters, digits, '.', '_' or '-'.";
            return false;
        }

        if (!IsValidPart(symbol))
        {
            error = $"Symbol '{symbol}' is not valid: use 1 to {MaxPartLength} letters, digits, '.', '_' or '-'.";
            return false;
        }

        key = new InstrumentKey(exchange.ToLowerInvariant(), symbol.ToUpperInvariant());
        error = null;
        return true;
    }

    /// <summary>Parses <c>exchange:SYMBOL</c>.</summary>
    /// <param name="value">The text.</param>
    /// <param name="key">The key, when valid.</param>
    /// <param name="error">Why the text is not a valid key, when it is not.</param>
    public static bool TryParse(string? value, out InstrumentKey key, [NotNullWhen(false)] out string? error)
    {
        var colon = value?.IndexOf(':') ?? -1;
        if (value is null || colon <= 0 || colon != value.LastIndexOf(':'))
        {
            key = default;
            error = $"Instrument '{value}' is not valid: expected 'exchange:SYMBOL', e.g. 'binance:BTCUSDT'.";
            return false;
        }

        return TryCreate(value[..colon], value[(colon + 1)..], out key, out error);
    }

    /// <summary>Parses <c>exchange:SYMBOL</c> or throws.</summary>
    /// <param name="value">The text.</param>
    /// <exception cref="FormatException">The text is not a valid key.</exception>
    public static InstrumentKey Parse(string value) =>
        TryParse(value, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Creates a key from an exchange and symbol or throws.</summary>
    /// <param name="exchange">Exchange name.</param>
    /// <param name="symbol">Symbol.</param>
    /// <exception cref="FormatException">Either part is not valid.</exception>
    public static InstrumentKey Create(string exchange, string symbol) =>
        TryCreate(exchange, symbol, out var key, out var error) ? key : throw new FormatException(error);

    /// <inheritdoc/>
    public bool Equals(InstrumentKey other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is InstrumentKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value?.GetHashCode(StringComparison.Ordinal) ?? 0;

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;

    /// <summary>Compares two keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    public static bool operator ==(InstrumentKey left, InstrumentKey right) => left.Equals(right);

    /// <summary>Compares two keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    public static bool operator !=(InstrumentKey left, InstrumentKey right) => !left.Equals(right);

    private static bool IsValidPart([NotNullWhen(true)] string? part)
    {
        if (string.IsNullOrEmpty(part) || part.Length > MaxPartLength)
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
