using System.Diagnostics;

namespace PriceActors.Tests.Support;

/// <summary>Runs one of the project's programs (a dll of the test output, or at a full path) with arguments and returns what it printed.</summary>
internal static class ProgramCommand
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="dll"/> to its end; standard output and standard error, each read whole.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, dll), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        })!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Deadline);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
