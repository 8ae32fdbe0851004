namespace PriceActors.Bench;

/// <summary>Options of the cluster benchmark; <see cref="Parse"/> names each option and its default.</summary>
internal sealed record ClusterSettings(
    int Seconds,
    int Warmup,
    int Exchanges,
    int Symbols,
    int Batch,
    int InFlight,
    int Backlog,
    int Rate,
    int Interval,
    int Connections,
    int Queues,
    int Silos,
    int FeedConnections)
{
    public int Instruments => Exchanges * Symbols;

    public static ClusterSettings Parse(string[] args)
    {
        var v = BenchArguments.Parse(
            args,
            new Dictionary<string, int>
            {
                ["--seconds"] = 20,
                ["--warmup"] = 5,
                ["--exchanges"] = 3,
                ["--symbols"] = 200,
                ["--batch"] = 100,
                ["--in-flight"] = 0,
                ["--backlog"] = 200_000,
                ["--rate"] = 20_000,
                ["--interval"] = 50,
                ["--connections"] = 32,
                ["--queues"] = 8,
                ["--silos"] = 2,
                ["--feed-connections"] = 32,
            },
            new Dictionary<string, int> { ["--warmup"] = 0, ["--in-flight"] = 0, ["--backlog"] = 0 });
        var settings = new ClusterSettings(
            v["--seconds"], v["--warmup"], v["--exchanges"], v["--symbols"], v["--batch"], v["--in-flight"], v["--backlog"],
            v["--rate"], v["--interval"], v["--connections"], v["--queues"], v["--silos"], v["--feed-connections"]);

        // 0: one batch in flight per instrument, every instrument at once.
        return settings.InFlight == 0 ? settings with { InFlight = settings.Instruments } : settings;
    }
}
