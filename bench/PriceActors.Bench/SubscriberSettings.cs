namespace PriceActors.Bench;

/// <summary>Options of the subscriber benchmark; <see cref="Parse"/> names each option and its default.</summary>
internal sealed record SubscriberSettings(int Subscribers, int Instruments, int Rate, int Seconds, int Warmup, IReadOnlyList<string> Transports)
{
    public static readonly string[] AllTransports = ["naive", "signalr", "websocket", "sse"];

    public static SubscriberSettings Parse(string[] args)
    {
        var transports = AllTransports;
        var at = Array.IndexOf(args, "--transports");
        if (at >= 0 && at + 1 < args.Length)
        {
            transports = args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (transports.Except(AllTransports).FirstOrDefault() is { } unknown)
            {
                throw new ArgumentException($"Unknown transport '{unknown}': use {string.Join(", ", AllTransports)}.");
            }

            args = [.. args[..at], .. args[(at + 2)..]];
        }

        var v = BenchArguments.Parse(
            args,
            new Dictionary<string, int>
            {
                ["--subscribers"] = 10_000,
                ["--instruments"] = 50,
                ["--rate"] = 10,
                ["--seconds"] = 15,
                ["--warmup"] = 5,
            },
            new Dictionary<string, int> { ["--warmup"] = 0 });
        return new SubscriberSettings(v["--subscribers"], v["--instruments"], v["--rate"], v["--seconds"], v["--warmup"], transports);
    }
}
