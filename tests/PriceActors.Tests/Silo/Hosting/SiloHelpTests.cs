using System.Diagnostics;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Silo.Hosting;

public sealed class SiloHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Main_HelpArgument_PrintsTheSettingsWithTheirDefaultsAndExitsZeroWithoutStarting(string argument)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PriceActors.Silo.dll"), argument])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        })!;
        var text = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(PriceActors.Silo.Hosting.SiloHelp.Text.TrimEnd(), text.TrimEnd());
        Assert.Contains("--Postgres:ConnectionString", text, StringComparison.Ordinal);
        Assert.Contains("--RabbitMq:Uri", text, StringComparison.Ordinal);
        Assert.Contains($"--Streams:PartitionCount {new StreamOptions().PartitionCount} ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", text, StringComparison.Ordinal);
    }
}
