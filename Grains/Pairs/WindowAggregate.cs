namespace PriceActors.Grains.Pairs;

/// <summary>Running aggregate of trades: shared by window queries and minute bars so both compute alike.</summary>
internal struct WindowAggregate
{
    /// <summary>Decimal places kept in averages.</summary>
    public const int AverageDecimals = 12;

    public long Count;
    public decimal First;
    public decimal Last;
    public decimal High;
    public decimal Low;
    public decimal SumPrice;
    public decimal SumNotional;
    public decimal Volume;

    public readonly decimal Average => Count == 0 ? 0m : Math.Round(SumPrice / Count, AverageDecimals);

    public readonly decimal Vwap => Volume == 0m ? Average : Math.Round(SumNotional / Volume, AverageDecimals);

    public void Add(decimal price, decimal quantity)
    {
        if (Count == 0)
        {
            First = High = Low = price;
        }
        else if (price > High)
        {
            High = price;
        }
        else if (price < Low)
        {
            Low = price;
        }

        Last = price;
        SumPrice += price;
        SumNotional += price * quantity;
        Volume += quantity;
        Count++;
    }
}
