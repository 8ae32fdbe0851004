using System.Diagnostics.CodeAnalysis;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Configured symbols to each exchange's native form and to canonical keys: Binance and Bybit write BTCUSDT; Kraken
/// BTC/USD; Coinbase and OKX BTC-USD; NDJSON sources any of these. A configured symbol may use either separator.
/// </summary>
public static class LiveSymbols
{
    /// <summary>The symbol as the exchange writes it in requests and messages.</summary>
    /// <param name="exchange">The exchange, lower case.</param>
    /// <param name="configured">The symbol as configured.</param>
    public static string NativeOf(string exchange, string configured)
    {
        var upper = configured.Trim().ToUpperInvariant();
        return exchange switch
        {
            BinanceProtocol.Exchange or BybitProtocol.Exchange => upper.Replace("/", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
            KrakenProtocol.Exchange => upper.Replace('-', '/'),
            CoinbaseProtocol.Exchange or OkxProtocol.Exchange => upper.Replace('/', '-'),
            _ => upper,
        };
    }

    /// <summary>The canonical key of a configured symbol, or why it cannot be one.</summary>
    /// <param name="exchange">The exchange, lower case.</param>
    /// <param name="configured">The symbol as configured.</param>
    /// <param name="key">The key.</param>
    /// <param name="error">Why there is none.</param>
    public static bool TryKeyOf(string exchange, string configured, out InstrumentKey key, [NotNullWhen(false)] out string? error)
    {
        var native = NativeOf(exchange, configured);
        var separator = exchange switch
        {
            KrakenProtocol.Exchange => '/',
            CoinbaseProtocol.Exchange or OkxProtocol.Exchange => '-',
            _ => '\0',
        };

        if (separator != '\0')
        {
            if (!JsonFields.TryKeyOfPair(exchange, native, separator, out key))
            {
                error = $"symbol '{configured}' is not BASE{separator}QUOTE (e.g. BTC{separator}USD).";
                return false;
            }

            error = null;
            return true;
        }

        return InstrumentKey.TryCreate(exchange, NdjsonProtocol.CanonicalSymbol(native), out key, out error);
    }
}
