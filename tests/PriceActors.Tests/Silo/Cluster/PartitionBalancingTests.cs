using PriceActors.Silo.Cluster;

namespace PriceActors.Tests.Silo.Cluster;

public sealed class PartitionBalancingTests
{
    [Fact]
    public void Plan_NotInTheLiveSilos_ReleasesNothing()
    {
        var plan = PartitionBalancing.Plan(16, "a", 16, [new("b", 0)], ceilingReleaseAllowed: true, maxReleases: 16);

        Assert.Equal(0, plan.Release);
        Assert.Contains("not active", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OnlyLiveSilo_KeepsEveryPartition()
    {
        var plan = PartitionBalancing.Plan(16, "a", 16, [new("a", 16)], ceilingReleaseAllowed: true, maxReleases: 16);

        Assert.Equal((0, 1, 16, 16), (plan.Release, plan.LiveSilos, plan.Floor, plan.Ceiling));
    }

    [Fact]
    public void Plan_OverTheCeilingWhileAJoinerOwnsNothing_ReleasesTheExcessUpToTheCap()
    {
        // Four silos, 16 partitions: fair share 4; this silo owns 7 (fresh) although its heartbeat said 6.
        SiloShare[] live = [new("a", 6), new("b", 5), new("c", 5), new("d", 0)];

        Assert.Equal(3, PartitionBalancing.Plan(16, "a", 7, live, ceilingReleaseAllowed: false, maxReleases: 16).Release);
        Assert.Equal(2, PartitionBalancing.Plan(16, "a", 7, live, ceilingReleaseAllowed: false, maxReleases: 2).Release);
        Assert.Equal((4, 4), (PartitionBalancing.Plan(16, "a", 7, live, false, 2).Floor, PartitionBalancing.Plan(16, "a", 7, live, false, 2).Ceiling));
    }

    [Fact]
    public void Plan_OverTheCeilingButNoSiloBelowTheFloor_ReleasesNothing()
    {
        // A killed silo's last heartbeat still claims 4: handing over would only bounce partitions between busy silos.
        SiloShare[] live = [new("a", 4), new("b", 4), new("c", 4), new("dead", 4)];

        var plan = PartitionBalancing.Plan(16, "a", 8, live, ceilingReleaseAllowed: true, maxReleases: 16);

        Assert.Equal(0, plan.Release);
        Assert.Contains("no live silo", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OverTheCeiling_ReleasesNoMoreThanTheOthersLack()
    {
        SiloShare[] live = [new("a", 10), new("b", 5), new("c", 4)];

        Assert.Equal(1, PartitionBalancing.Plan(16, "a", 10, live, ceilingReleaseAllowed: true, maxReleases: 16).Release);
    }

    [Fact]
    public void Plan_WithinTheShare_ReleasesNothing()
    {
        SiloShare[] live = [new("a", 5), new("b", 5), new("c", 6)];

        Assert.Equal(0, PartitionBalancing.Plan(16, "a", 5, live, ceilingReleaseAllowed: true, maxReleases: 16).Release);
        Assert.Equal(0, PartitionBalancing.Plan(16, "c", 6, live, ceilingReleaseAllowed: true, maxReleases: 16).Release);
    }

    [Theory]
    [InlineData("a", true, 1)]
    [InlineData("a", false, 0)]
    [InlineData("b", true, 0)]
    public void Plan_AtTheCeilingWhileASiloIsBelowTheFloor_OnlyTheLowestIdReleasesOneAfterItsCooldown(string self, bool cooledDown, int expected)
    {
        // 16 over 3: fair share 5..6; a and b at 6, c at 4.
        SiloShare[] live = [new("a", 6), new("b", 6), new("c", 4)];

        Assert.Equal(expected, PartitionBalancing.Plan(16, self, 6, live, cooledDown, maxReleases: 16).Release);
    }

    [Fact]
    public void Plan_AtTheCeilingWhilePartitionsAreUnaccounted_ReleasesNothing()
    {
        // Partitions in transit (no first delivery yet) are in nobody's count: the table cannot be trusted yet.
        SiloShare[] live = [new("a", 6), new("b", 5), new("c", 4)];

        Assert.Equal(0, PartitionBalancing.Plan(16, "a", 6, live, ceilingReleaseAllowed: true, maxReleases: 16).Release);
    }

    [Fact]
    public void Choose_MostRecentlyAcquiredFirstThenHighestPartition()
    {
        var acquired = new Dictionary<int, long> { [0] = 1, [5] = 1, [9] = 1, [3] = 7, [12] = 2 };

        Assert.Equal([3, 12, 9], PartitionBalancing.Choose(acquired, 3));
        Assert.Equal([3, 12, 9, 5, 0], PartitionBalancing.Choose(acquired, 10));
    }

    [Theory]
    [InlineData(16, 3, 1, 1)]
    [InlineData(16, 3, 1, 2)]
    [InlineData(16, 2, 2, 3)]
    [InlineData(64, 3, 1, 4)]
    [InlineData(7, 2, 2, 5)]
    [InlineData(16, 1, 3, 6)]
    public void Plan_SimulatedSingleActiveConsumerLines_SilosJoiningThenOneLeaving_ConvergeToTheFairShareWithoutPingPong(int partitions, int initial, int joining, int seed)
    {
        var cluster = new SimulatedCluster(partitions, seed);
        for (var i = 0; i < initial; i++)
        {
            cluster.Join();
        }

        cluster.RunUntilBalanced(maxRounds: 200);
        for (var i = 0; i < joining; i++)
        {
            cluster.Join();
        }

        var moves = cluster.RunUntilBalanced(maxRounds: 200);
        Assert.InRange(moves, 1, partitions * 3);
        cluster.Leave(cluster.Silos[^1]);
        cluster.RunUntilBalanced(maxRounds: 200);

        // Balanced and settled: no more hand-overs however long it runs.
        Assert.Equal(0, cluster.Run(rounds: 50));
    }

    [Fact]
    public void Plan_SimulatedRandomJoinsAndLeaves_AlwaysSettleWithinTheFairShare()
    {
        var random = new Random(20261121);
        for (var scenario = 0; scenario < 300; scenario++)
        {
            var partitions = random.Next(1, 70);
            var cluster = new SimulatedCluster(partitions, scenario);
            for (var step = 0; step < 6; step++)
            {
                if (cluster.Silos.Count < 2 || random.Next(3) > 0)
                {
                    cluster.Join();
                }
                else
                {
                    cluster.Leave(cluster.Silos[random.Next(cluster.Silos.Count)]);
                }

                cluster.RunUntilBalanced(maxRounds: 300);
            }

            Assert.Equal(0, cluster.Run(rounds: 10));
        }
    }

    [Fact]
    public void Plan_SimulatedKilledSiloStillInTheTable_NoHandOversUntilItsRowIsStale()
    {
        var cluster = new SimulatedCluster(16, seed: 9);
        for (var i = 0; i < 4; i++)
        {
            cluster.Join();
        }

        cluster.RunUntilBalanced(maxRounds: 200);
        var victim = cluster.Silos[1];
        cluster.Kill(victim, keepRow: true);

        // The survivors (one of which took the killed silo's partitions) do not bounce partitions around
        // while a dead row claims a share.
        Assert.Equal(0, cluster.Run(rounds: 20));
        cluster.ForgetRow(victim);
        cluster.RunUntilBalanced(maxRounds: 200);
    }
}
