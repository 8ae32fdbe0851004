namespace PriceActors.Grains.Storage;

/// <summary>Counters of a store, for health and dashboards.</summary>
/// <param name="Kind">Which implementation, e.g. <c>in-memory</c>.</param>
/// <param name="Instruments">Instruments with stored data.</param>
/// <param name="TicksStored">Trades held now.</param>
/// <param name="BarsStored">Minute bars held now.</param>
/// <param name="TicksAppended">Trades appended since start.</param>
/// <param name="TicksEvicted">Trades dropped by retention before their time because of the size cap.</param>
public sealed record StoreStatistics(
    string Kind,
    int Instruments,
    long TicksStored,
    long BarsStored,
    long TicksAppended,
    long TicksEvicted);
