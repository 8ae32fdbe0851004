using System.Diagnostics;

namespace PriceActors.Tests.Support;

/// <summary>Runs one of the project's programs (a dll of the test output) with a help argument and returns what it printed.</summary>
internal static class HelpCommand
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, dll), argument])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(Deadline);
        await process.WaitForExitAsync().WaitAsync(Deadline);
        return (process.ExitCode, output);
    }
}
