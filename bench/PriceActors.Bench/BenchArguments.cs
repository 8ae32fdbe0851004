using System.Globalization;

namespace PriceActors.Bench;

/// <summary>Command-line options of a benchmark: <c>--name N</c> pairs of whole numbers, and flags without a value.</summary>
internal static class BenchArguments
{
    /// <summary>
    /// The values of <paramref name="defaults"/> overridden by <paramref name="args"/>, each at least its entry in
    /// <paramref name="minimums"/> (1 where none); a flag of <paramref name="flags"/> present counts as 1, absent as 0.
    /// </summary>
    public static Dictionary<string, int> Parse(string[] args, Dictionary<string, int> defaults, Dictionary<string, int>? minimums = null, params string[] flags)
    {
        var values = new Dictionary<string, int>(defaults);
        foreach (var flag in flags)
        {
            values[flag] = 0;
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (flags.Contains(args[i]))
            {
                values[args[i]] = 1;
                continue;
            }

            var minimum = minimums?.GetValueOrDefault(args[i], 1) ?? 1;
            if (!defaults.ContainsKey(args[i]) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                throw new ArgumentException(
                    $"Bad option '{args[i]}': expected one of {string.Join(", ", defaults.Keys)} followed by a whole number " +
                    $"(at least {minimum}){(flags.Length > 0 ? $", or {string.Join(", ", flags)}" : "")}.");
            }

            values[args[i]] = value;
            i++;
        }

        return values;
    }
}
