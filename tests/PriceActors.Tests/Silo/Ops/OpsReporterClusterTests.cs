using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PriceActors.Grains;
using PriceActors.Silo.Ops;
using PriceActors.Tests.Grains;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Ops;

/// <summary>
/// The operations view in a three-silo Orleans test cluster whose silos report to the operations grain: when the silo
/// the grain runs on is killed, the grain's new activation holds the other silos' last minutes again within a report
/// period or two, because they send it what they kept.
/// </summary>
public sealed class OpsReporterClusterTests(ITestOutputHelper output)
{
    private const int ResentEventId = 5302;

    [Fact]
    public async Task KillSilo_OpsGrainRanThere_TheOtherSilosHistoryIsInTheNewActivation()
    {
        var logs = new LogRecorder();
        await using var cluster = TestSilos.Build(3, (_, host) =>
        {
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.Logging.AddProvider(logs).AddFilter<LogRecorder>(typeof(OpsReporter).Namespace, LogLevel.Information);
            host.Services.AddHostedService<SiloOpsReporter>();
            host.Services.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        await cluster.DeployAsync();
        var ops = cluster.Client.GetGrain<IOpsGrain>(IOpsGrain.Key);
        var before = await Eventually.ValueAsync(() => ops.GetAsync(), p => p.Length == 3 && p.All(r => r.Length >= 4), TimeSpan.FromSeconds(30));
        Assert.True(before.Length == 3 && before.All(r => r.Length >= 4), $"reports held: {string.Join(", ", before.Select(r => r.Length))}");
        Assert.Equal(0, logs.CountOf(ResentEventId));

        var opsSilo = await TestSilos.SiloOfAsync(cluster.Client, ops.GetGrainId());
        Assert.NotNull(opsSilo);
        var survivors = before.Where(r => r[^1].Id != opsSilo.ToParsableString()).ToArray();
        Assert.Equal(2, survivors.Length);
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress == opsSilo));
        var killedAt = DateTime.UtcNow;

        // A new activation without the survivors' past would hold only the reports made after the kill.
        var after = await Eventually.ValueAsync(
            () => ops.GetAsync(),
            p => survivors.All(s => Held(p, s[0].Id).Length > s.Length),
            TimeSpan.FromSeconds(30));
        output.WriteLine($"the grain ran on {opsSilo}; {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s after the kill it held "
            + string.Join(", ", survivors.Select(s => $"{Held(after, s[0].Id).Length} reports of {s[0].Id} ({s.Length} before)")));

        var movedTo = await TestSilos.SiloOfAsync(cluster.Client, ops.GetGrainId());
        Assert.NotNull(movedTo);
        Assert.NotEqual(opsSilo, movedTo);
        foreach (var survivor in survivors)
        {
            var held = Held(after, survivor[0].Id);
            Assert.Subset(held.Select(r => r.At).ToHashSet(), survivor.Select(r => r.At).ToHashSet());
            Assert.Equal(held.OrderBy(r => r.At).Select(r => r.At), held.Select(r => r.At));
        }

        Assert.True(logs.CountOf(ResentEventId) >= 2, $"{logs.CountOf(ResentEventId)} reporters sent their reports again");
    }

    private static ProcessReport[] Held(ProcessReport[][] processes, string id) => processes.FirstOrDefault(r => r[^1].Id == id) ?? [];
}
