namespace PriceActors.Silo.Cluster;

/// <summary>
/// The balancing decision, as pure functions of what one silo knows: its own partition count (fresh) and
/// the live silos' counts from their last heartbeats (up to one heartbeat old).
/// </summary>
/// <remarks>
/// A hand-over goes to the next silo in the partition's line, which may itself be at or over its share;
/// it then hands the partition on, and the releaser queues up at the back, so a partition moves along its
/// line until it reaches a silo below its share. Against ping-pong: a silo hands over only while some other
/// live silo owns fewer than the floor, and never more than that deficit, so a stale or dead row that
/// claims a share stops hand-overs instead of bouncing partitions between busy silos; a silo at the ceiling
/// (uneven division) hands over one at a time, only when chosen (the lowest id among those at the ceiling),
/// only when every partition is accounted for, and at most once per cool-down.
/// </remarks>
internal static class PartitionBalancing
{
    /// <summary>Decides how many partitions this silo hands over now.</summary>
    /// <param name="partitionCount">Partitions in the cluster.</param>
    /// <param name="self">This silo's id.</param>
    /// <param name="owned">Partitions this silo owns now.</param>
    /// <param name="live">The live silos (this one included once it is active) with their last reported counts.</param>
    /// <param name="ceilingReleaseAllowed">False during the cool-down after this silo's last hand-over.</param>
    /// <param name="maxReleases">Cap per round.</param>
    public static BalancingPlan Plan(int partitionCount, string self, int owned, IReadOnlyCollection<SiloShare> live, bool ceilingReleaseAllowed, int maxReleases)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReleases);
        if (!live.Any(s => s.SiloId == self))
        {
            return BalancingPlan.None("this silo is not active in the membership table yet");
        }

        var silos = live.Count;
        var floor = partitionCount / silos;
        var ceiling = (partitionCount + silos - 1) / silos;
        if (silos == 1)
        {
            return BalancingPlan.None("the only live silo keeps every partition", silos, floor, ceiling);
        }

        var shares = live.Select(s => s.SiloId == self ? s with { Partitions = owned } : s).ToList();
        var deficit = shares.Where(s => s.SiloId != self).Sum(s => Math.Max(0, floor - s.Partitions));
        if (deficit == 0)
        {
            return BalancingPlan.None(
                owned > ceiling ? "over the fair share, but no live silo reports owning fewer than the floor (yet)" : "balanced",
                silos,
                floor,
                ceiling);
        }

        if (owned > ceiling)
        {
            var release = Math.Min(Math.Min(owned - ceiling, deficit), maxReleases);
            return new BalancingPlan(release, $"owns {owned}, over the fair share, while live silos lack {deficit}", silos, floor, ceiling);
        }

        if (owned < ceiling || ceiling == floor)
        {
            return BalancingPlan.None("within the fair share", silos, floor, ceiling);
        }

        if (shares.Sum(s => s.Partitions) != partitionCount)
        {
            return BalancingPlan.None("at the ceiling, but not every partition is accounted for yet", silos, floor, ceiling);
        }

        var chosen = shares.Where(s => s.Partitions >= ceiling).Select(s => s.SiloId).Order(StringComparer.Ordinal).First();
        return chosen != self ? BalancingPlan.None($"at the ceiling; silo {chosen} makes room", silos, floor, ceiling)
            : !ceilingReleaseAllowed ? BalancingPlan.None("at the ceiling, cooling down after the last hand-over", silos, floor, ceiling)
            : new BalancingPlan(1, $"at the ceiling while live silos lack {deficit}; this silo makes room", silos, floor, ceiling);
    }

    /// <summary>
    /// Picks the partitions to hand over: the most recently acquired first (a partition that just came along
    /// its line has the silos that handed it on at the back, so the next in line is likelier the one that
    /// needs it), then the highest partition number.
    /// </summary>
    /// <param name="acquired">Owned partitions with the moment (any increasing stamp) this silo saw it acquire them.</param>
    /// <param name="count">How many to pick.</param>
    public static IReadOnlyList<int> Choose(IReadOnlyDictionary<int, long> acquired, int count) =>
        [.. acquired.OrderByDescending(p => p.Value).ThenByDescending(p => p.Key).Take(count).Select(p => p.Key)];
}
