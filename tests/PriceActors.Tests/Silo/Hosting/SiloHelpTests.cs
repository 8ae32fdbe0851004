using PriceActors.Silo.Cluster;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Hosting;

public sealed class SiloHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Main_HelpArgument_PrintsTheSettingsWithTheirDefaultsAndExitsZeroWithoutStarting(string argument)
    {
        var (exitCode, text, _) = await ProgramCommand.RunAsync("PriceActors.Silo.dll", argument);

        Assert.Equal(0, exitCode);
        Assert.Equal(PriceActors.Silo.Hosting.SiloHelp.Text.TrimEnd(), text.TrimEnd());
        Assert.Contains("--Postgres:ConnectionString", text, StringComparison.Ordinal);
        var defaults = new ClusterSiloOptions();
        Assert.Contains($"--Orleans:SiloPort {defaults.SiloPort} --Orleans:GatewayPort {defaults.GatewayPort}", text, StringComparison.Ordinal);
        Assert.Contains($"--Orleans:StreamQueues {defaults.StreamQueues} ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", text, StringComparison.Ordinal);
    }
}
