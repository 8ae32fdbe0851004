namespace PriceActors.Runtime;

/// <summary>The address of one actor: its type name and its key, e.g. <c>pair/binance:BTCUSDT</c>.</summary>
/// <param name="Type">The actor type name (see <see cref="ActorTypeAttribute"/>).</param>
/// <param name="Key">The key within that type.</param>
public readonly record struct ActorId(string Type, string Key)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Type}/{Key}";
}
