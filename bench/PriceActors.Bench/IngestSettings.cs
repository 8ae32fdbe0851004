using System.Globalization;

namespace PriceActors.Bench;

/// <summary>Options of the ingest benchmark.</summary>
internal sealed record IngestSettings(int Seconds, int Warmup, int Exchanges, int Symbols, int Batch, int Partitions, int Rate, bool Metrics)
{
    public static IngestSettings Parse(string[] args)
    {
        var values = new Dictionary<string, int>
        {
            ["--seconds"] = 10,
            ["--warmup"] = 3,
            ["--exchanges"] = 3,
            ["--symbols"] = 5,
            ["--batch"] = 256,
            ["--queues"] = 4,
            ["--rate"] = 0,
            ["--metrics"] = 0,
        };
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < (args[i] is "--rate" or "--metrics" ? 0 : 1))
            {
                throw new ArgumentException($"Bad option '{args[i]}': expected one of {string.Join(", ", values.Keys)} followed by a positive number.");
            }

            values[args[i]] = value;
        }

        return new IngestSettings(values["--seconds"], values["--warmup"], values["--exchanges"], values["--symbols"], values["--batch"], values["--queues"], values["--rate"], values["--metrics"] == 1);
    }
}
