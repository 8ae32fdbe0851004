namespace PriceActors.Bench;

/// <summary>Nearest-rank percentiles of sorted samples.</summary>
internal static class Percentiles
{
    /// <summary>The sample at rank <paramref name="p"/> (0 to 1, 1 is the maximum) of ascending <paramref name="sorted"/>.</summary>
    public static T Of<T>(T[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
}
