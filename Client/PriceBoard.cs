using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PriceActors.Client;

/// <summary>
/// What the client knows per instrument: the last price and position, how many updates arrived, conflated or after a
/// gap, and the last closed candle. A gap is an update that does not start right after the previous one (its first
/// sequence is further on); a conflated update does start there, so it is no gap.
/// </summary>
public sealed class PriceBoard(IReadOnlyList<string> pairs)
{
    private readonly Dictionary<string, Row> rows = [];
    private readonly Lock gate = new();

    /// <summary>Price updates received.</summary>
    public int Updates { get; private set; }

    /// <summary>Updates that did not continue the previous one.</summary>
    public int Gaps { get; private set; }

    /// <summary>The positions to resume from after a reconnect.</summary>
    public IReadOnlyDictionary<string, Position> Positions
    {
        get
        {
            lock (gate)
            {
                return rows.Where(r => r.Value.Last is not null).ToDictionary(r => r.Key, r => new Position(r.Value.Last!.Epoch, r.Value.Last.Sequence));
            }
        }
    }

    /// <summary>Takes a message; answers the line plain output prints for it.</summary>
    public string Apply(StreamEvent message)
    {
        lock (gate)
        {
            if (!rows.TryGetValue(message.Instrument, out var row))
            {
                rows[message.Instrument] = row = new Row();
            }

            switch (message)
            {
                case PriceEvent price:
                    Updates++;
                    row.Updates++;
                    var gap = row.Last is { } last && last.Epoch == price.Epoch && price.FirstSequence != last.Sequence + 1;
                    if (gap)
                    {
                        Gaps++;
                        row.Gaps++;
                    }

                    row.Conflated += price.Conflated ? 1 : 0;
                    row.First ??= price.Price;
                    row.Last = price;
                    return string.Create(
                        CultureInfo.InvariantCulture,
                        $"price {price.Instrument} {price.Price} qty={price.Quantity} seq={price.Sequence} first={price.FirstSequence} epoch={price.Epoch}{(price.Conflated ? " conflated" : string.Empty)}{(gap ? " GAP" : string.Empty)}");
                case CandleEvent candle:
                    row.Candle = candle;
                    return string.Create(
                        CultureInfo.InvariantCulture,
                        $"candle {candle.Instrument} {candle.Interval} {candle.OpenTime:HH:mm:ss} O={candle.Open} H={candle.High} L={candle.Low} C={candle.Close} V={candle.Volume} n={candle.Count}");
                case ResetEvent reset:
                    row.Resets++;
                    row.Last = null;
                    return $"reset {reset.Instrument} {reset.Reason}: {reset.Message}";
                default:
                    return string.Empty;
            }
        }
    }

    /// <summary>The live table.</summary>
    public IRenderable Render(string status)
    {
        var table = new Table().Border(TableBorder.Rounded).Caption(status);
        foreach (var column in new[] { "Instrument", "Price", "Change", "Sequence", "Updates", "Conflated", "Gaps", "Resets", "Last candle" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        lock (gate)
        {
            foreach (var pair in pairs)
            {
                rows.TryGetValue(pair, out var row);
                var last = row?.Last;
                var change = last is not null && row!.First is { } first && first != 0 ? (last.Price - first) / first * 100m : (decimal?)null;
                var color = change switch { > 0 => "green", < 0 => "red", _ => "white" };
                table.AddRow(
                    new Markup(Markup.Escape(pair)),
                    new Markup(last is null ? "-" : $"[bold]{last.Price.ToString(CultureInfo.InvariantCulture)}[/]"),
                    new Markup(change is null ? "-" : $"[{color}]{change.Value.ToString("+0.000;-0.000", CultureInfo.InvariantCulture)} %[/]"),
                    new Text(last is null ? "-" : $"{last.Sequence}"),
                    new Text($"{row?.Updates ?? 0}"),
                    new Text($"{row?.Conflated ?? 0}"),
                    new Markup(row is { Gaps: > 0 } ? $"[red]{row.Gaps}[/]" : "0"),
                    new Text($"{row?.Resets ?? 0}"),
                    new Text(row?.Candle is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c.Interval} {c.OpenTime:HH:mm:ss} O {c.Open} H {c.High} L {c.Low} C {c.Close}") : "-"));
            }
        }

        return table;
    }

    private sealed class Row
    {
        public PriceEvent? Last { get; set; }

        public decimal? First { get; set; }

        public int Updates { get; set; }

        public int Conflated { get; set; }

        public int Gaps { get; set; }

        public int Resets { get; set; }

        public CandleEvent? Candle { get; set; }
    }
}
