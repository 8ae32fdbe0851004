using PriceActors.Silo.Cluster;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// Silos deciding with <see cref="PartitionBalancing"/> over a model of the broker's single active
/// consumer: each partition has a line of subscribed silos, the first owns it, a silo that hands it over
/// leaves the front and subscribes again at the back. Each silo knows its own count at once and the
/// others' only from heartbeats written every other round (staggered), as through the membership table.
/// </summary>
internal sealed class SimulatedCluster(int partitions, int seed)
{
    private const int HeartbeatRounds = 2;
    private const int CooldownRounds = 3;
    private const int MaxReleasesPerRound = 2;

    private readonly List<string>[] lines = [.. Enumerable.Range(0, partitions).Select(_ => new List<string>())];
    private readonly Dictionary<string, int> rows = [];
    private readonly Dictionary<string, Dictionary<int, long>> acquired = [];
    private readonly Dictionary<string, int> lastRelease = [];
    private readonly Random random = new(seed);
    private int round;
    private int joined;

    public List<string> Silos { get; } = [];

    /// <summary>A silo starts: it subscribes at the back of every line; its row turns active at its first heartbeat.</summary>
    public void Join()
    {
        var silo = $"s{++joined:00}";
        Silos.Add(silo);
        acquired[silo] = [];
        foreach (var line in lines)
        {
            line.Add(silo);
        }
    }

    /// <summary>Graceful stop: its partitions go to the next in line, and it marks itself shutting down at once.</summary>
    public void Leave(string silo)
    {
        Kill(silo, keepRow: false);
    }

    public void Kill(string silo, bool keepRow)
    {
        Silos.Remove(silo);
        foreach (var line in lines)
        {
            line.Remove(silo);
        }

        if (!keepRow)
        {
            rows.Remove(silo);
        }
    }

    public void ForgetRow(string silo) => rows.Remove(silo);

    /// <summary>Runs until every silo owns floor..ceil of the partitions and a whole heartbeat cycle moved nothing; returns the hand-overs.</summary>
    public int RunUntilBalanced(int maxRounds)
    {
        var moves = 0;
        for (var i = 0; i < maxRounds; i++)
        {
            moves += Run(1);
            if (Balanced() && Run(HeartbeatRounds + CooldownRounds) == 0 && Balanced())
            {
                return moves;
            }
        }

        throw new Xunit.Sdk.XunitException($"Not balanced after {maxRounds} rounds: {string.Join(", ", Silos.Select(s => $"{s}={Owned(s).Count}"))}");
    }

    /// <summary>Runs rounds; returns how many partitions were handed over.</summary>
    public int Run(int rounds)
    {
        var moves = 0;
        for (var r = 0; r < rounds; r++)
        {
            round++;
            foreach (var silo in Silos.OrderBy(_ => random.Next()).ToList())
            {
                moves += Decide(silo);
            }

            for (var i = 0; i < Silos.Count; i++)
            {
                if ((round + i) % HeartbeatRounds == 0)
                {
                    rows[Silos[i]] = Owned(Silos[i]).Count;
                }
            }
        }

        return moves;
    }

    private int Decide(string silo)
    {
        var owned = Owned(silo);
        var stamps = acquired[silo];
        foreach (var gone in stamps.Keys.Where(p => !owned.Contains(p)).ToList())
        {
            stamps.Remove(gone);
        }

        foreach (var partition in owned)
        {
            stamps.TryAdd(partition, round);
        }

        var cooledDown = !lastRelease.TryGetValue(silo, out var last) || round - last >= CooldownRounds;
        var plan = PartitionBalancing.Plan(partitions, silo, owned.Count, [.. rows.Select(r => new SiloShare(r.Key, r.Value))], cooledDown, MaxReleasesPerRound);
        if (plan.Release == 0)
        {
            return 0;
        }

        lastRelease[silo] = round;
        foreach (var partition in PartitionBalancing.Choose(stamps, plan.Release))
        {
            lines[partition].Remove(silo);
            lines[partition].Add(silo);
            stamps.Remove(partition);
        }

        return plan.Release;
    }

    private bool Balanced()
    {
        var floor = partitions / Silos.Count;
        var ceiling = (partitions + Silos.Count - 1) / Silos.Count;
        return Silos.All(s => Owned(s).Count >= floor && Owned(s).Count <= ceiling);
    }

    private List<int> Owned(string silo) => [.. Enumerable.Range(0, partitions).Where(p => lines[p].Count > 0 && lines[p][0] == silo)];
}
