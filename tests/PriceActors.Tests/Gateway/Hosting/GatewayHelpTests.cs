using PriceActors.Grains.Streams;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Hosting;

public sealed class GatewayHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Main_HelpArgument_PrintsTheModesAndClusterSettingsAndExitsZeroWithoutStarting(string argument)
    {
        var (exitCode, text) = await HelpCommand.RunAsync("PriceActors.Gateway.dll", argument);

        Assert.Equal(0, exitCode);
        Assert.Equal(GatewayHelpText(), text.TrimEnd());
        Assert.Contains("--PriceActors:Mode Cluster", text, StringComparison.Ordinal);
        Assert.Contains("--RabbitMq:Uri", text, StringComparison.Ordinal);
        Assert.Contains($"--Streams:PartitionCount {new StreamOptions().PartitionCount} ", text, StringComparison.Ordinal);
        Assert.Contains("--RabbitMq:Requests:RequestTimeout", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", text, StringComparison.Ordinal);
    }

    private static string GatewayHelpText() => PriceActors.Gateway.Hosting.GatewayHelp.Text.TrimEnd();
}
