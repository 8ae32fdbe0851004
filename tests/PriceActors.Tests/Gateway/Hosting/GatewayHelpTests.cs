using System.Diagnostics;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Gateway.Hosting;

public sealed class GatewayHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Main_HelpArgument_PrintsTheModesAndClusterSettingsAndExitsZeroWithoutStarting(string argument)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PriceActors.Gateway.dll"), argument])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        })!;
        var text = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(GatewayHelpText(), text.TrimEnd());
        Assert.Contains("--PriceActors:Mode Cluster", text, StringComparison.Ordinal);
        Assert.Contains("--RabbitMq:Uri", text, StringComparison.Ordinal);
        Assert.Contains($"--Streams:PartitionCount {new StreamOptions().PartitionCount} ", text, StringComparison.Ordinal);
        Assert.Contains("--RabbitMq:Requests:RequestTimeout", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", text, StringComparison.Ordinal);
    }

    private static string GatewayHelpText() => PriceActors.Gateway.Hosting.GatewayHelp.Text.TrimEnd();
}
