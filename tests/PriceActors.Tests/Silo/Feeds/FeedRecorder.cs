namespace PriceActors.Tests.Silo.Feeds;

/// <summary>
/// Every start and stop of every silo's feeds, shared by the silos of one test, with the moments two
/// silos ran the same exchange's feed at once.
/// </summary>
internal sealed class FeedRecorder
{
    private readonly Lock gate = new();
    private readonly List<FeedRun> runs = [];
    private readonly List<string> overlaps = [];

    public IReadOnlyList<string> Overlaps
    {
        get
        {
            lock (gate)
            {
                return [.. overlaps];
            }
        }
    }

    public IReadOnlyList<FeedRun> Runs
    {
        get
        {
            lock (gate)
            {
                return [.. runs];
            }
        }
    }

    public void Started(string silo, string exchange)
    {
        lock (gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (runs.Any(r => r.Exchange == exchange && r.StoppedAt is null && r.Silo != silo))
            {
                overlaps.Add($"{silo} started {exchange} at {now:O} while {string.Join(", ", RunningSilos(exchange))} ran it");
            }

            if (!runs.Any(r => r.Exchange == exchange && r.Silo == silo && r.StoppedAt is null))
            {
                runs.Add(new FeedRun(silo, exchange, now));
            }
        }
    }

    public void Stopped(string silo, string exchange)
    {
        lock (gate)
        {
            foreach (var run in runs.Where(r => r.Exchange == exchange && r.Silo == silo && r.StoppedAt is null))
            {
                run.StoppedAt = DateTimeOffset.UtcNow;
            }
        }
    }

    /// <summary>The silo's process died: its feeds stopped producing now, whatever its election does later.</summary>
    public void Crashed(string silo)
    {
        lock (gate)
        {
            foreach (var run in runs.Where(r => r.Silo == silo && r.StoppedAt is null))
            {
                run.StoppedAt = DateTimeOffset.UtcNow;
            }
        }
    }

    public IReadOnlyList<string> RunningSilos(string exchange)
    {
        lock (gate)
        {
            return [.. runs.Where(r => r.Exchange == exchange && r.StoppedAt is null).Select(r => r.Silo)];
        }
    }

    public FeedRun? LastRun(string silo, string exchange)
    {
        lock (gate)
        {
            return runs.LastOrDefault(r => r.Silo == silo && r.Exchange == exchange);
        }
    }
}
