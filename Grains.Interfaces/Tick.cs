namespace PriceActors.Grains;

/// <summary>One trade as an exchange reported it, normalized.</summary>
/// <param name="Instrument">Where it traded.</param>
/// <param name="Price">Trade price, exact as the exchange sent it.</param>
/// <param name="Quantity">Traded quantity in the base asset, exact.</param>
/// <param name="TradeId">The exchange's trade id; increases per instrument, so redeliveries can be recognised.</param>
/// <param name="ExchangeTime">When the exchange says the trade happened (UTC); bars and windows use this time.</param>
/// <param name="ReceiveTime">When the feed received it (UTC).</param>
public readonly record struct Tick(
    InstrumentKey Instrument,
    decimal Price,
    decimal Quantity,
    long TradeId,
    DateTimeOffset ExchangeTime,
    DateTimeOffset ReceiveTime);
