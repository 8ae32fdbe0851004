using PriceActors.Gateway.Hosting;
using PriceActors.Silo.Embedded;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Hosting;

public sealed class GatewayHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Main_HelpArgument_PrintsTheModesAndClusterSettingsAndExitsZeroWithoutStarting(string argument)
    {
        var (exitCode, text, _) = await ProgramCommand.RunAsync("PriceActors.Gateway.dll", argument);

        Assert.Equal(0, exitCode);
        Assert.Equal(GatewayHelpText(), text.TrimEnd());
        Assert.Contains("--PriceActors:Mode Cluster", text, StringComparison.Ordinal);
        Assert.Contains("--Postgres:ConnectionString", text, StringComparison.Ordinal);
        Assert.Contains($"--Orleans:ClusterId {new ClusterGatewayOptions().ClusterId} ", text, StringComparison.Ordinal);
        Assert.Contains($"--Orleans:SiloPort {new EmbeddedSiloOptions().SiloPort} ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", text, StringComparison.Ordinal);
    }

    private static string GatewayHelpText() => PriceActors.Gateway.Hosting.GatewayHelp.Text.TrimEnd();
}
