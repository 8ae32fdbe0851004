namespace PriceActors.Bench;

/// <summary>Options of the REST benchmark against an embedded gateway; <see cref="Parse"/> names each option and its default.</summary>
internal sealed record RestSettings(int Seconds, int Warmup, int Exchanges, int Symbols, int Connections, bool AsProcess)
{
    public static RestSettings Parse(string[] args)
    {
        var v = BenchArguments.Parse(
            args,
            new Dictionary<string, int>
            {
                ["--seconds"] = 20,
                ["--warmup"] = 5,
                ["--exchanges"] = 3,
                ["--symbols"] = 200,
                ["--connections"] = 32,
            },
            new Dictionary<string, int> { ["--warmup"] = 0 },
            "--process");
        return new RestSettings(v["--seconds"], v["--warmup"], v["--exchanges"], v["--symbols"], v["--connections"], v["--process"] == 1);
    }
}
