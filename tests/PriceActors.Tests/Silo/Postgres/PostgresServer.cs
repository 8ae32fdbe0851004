using System.Diagnostics;
using System.Runtime.CompilerServices;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>Restarts the shared test PostgreSQL through <c>scripts/servers.sh</c>.</summary>
internal static class PostgresServer
{
    public static void Restart() => Run("restart-postgres");

    private static void Run(string command, [CallerFilePath] string source = "")
    {
        try
        {
            TestServers.Run(command);
        }
        catch (InvalidOperationException error) when (error.Message.Contains("not found above", StringComparison.Ordinal))
        {
            // Built with --artifacts-path outside the tree: TestServers finds no scripts above the binaries,
            // so use the ones above this source file.
            var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", ".."));
            using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "servers.sh"), command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
            {
                throw new InvalidOperationException($"scripts/servers.sh {command} failed: {output.Result}{errors.Result}");
            }
        }
    }
}
