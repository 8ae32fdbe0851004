using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace PriceActors.Tests.Support;

/// <summary>
/// The real PostgreSQL the integration tests use. <c>scripts/test.sh</c> starts it and exports
/// <c>PRICEACTORS_POSTGRES</c>; when a test run starts without it (plain <c>dotnet test</c>), the first use
/// runs <c>scripts/servers.sh start</c> itself, which installs and starts what is missing. Never skipped: a failure to start is a test failure.
/// </summary>
public static partial class TestServers
{
    private static readonly Lazy<string> Settings = new(Resolve);

    /// <summary>Npgsql connection string of the test server's <c>postgres</c> database.</summary>
    public static string Postgres => Settings.Value;

    /// <summary>Runs <c>scripts/servers.sh</c> with a command such as <c>restart-postgres</c> and its arguments.</summary>
    public static void Run(params string[] command)
    {
        var (code, output) = Script(command);
        if (code != 0)
        {
            throw new InvalidOperationException($"scripts/servers.sh {string.Join(' ', command)} failed ({code}): {output}");
        }
    }

    private static string Resolve()
    {
        var postgres = Environment.GetEnvironmentVariable("PRICEACTORS_POSTGRES");
        if (string.IsNullOrEmpty(postgres))
        {
            var (code, output) = Script("start");
            if (code != 0)
            {
                throw new InvalidOperationException($"The test servers did not start (scripts/servers.sh start exited {code}): {output}");
            }

            postgres = ExportOf(output, "PRICEACTORS_POSTGRES");
        }

        return postgres;
    }

    private static string ExportOf(string output, string name) =>
        Regex.Match(output, $"export {name}='([^']*)'") is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"scripts/servers.sh did not print {name}: {output}");

    private static string? RepositoryRootAbove(string? start)
    {
        while (start is not null && !File.Exists(Path.Combine(start, "scripts", "servers.sh")))
        {
            start = Path.GetDirectoryName(start);
        }

        return start;
    }

    /// <summary>This file's own path, for builds whose output lives outside the repository (--artifacts-path).</summary>
    private static string SourcePath([CallerFilePath] string path = "") => path;

    /// <summary>The repository's root folder (the one holding <c>scripts/</c>).</summary>
    public static string RepositoryRoot =>
        RepositoryRootAbove(AppContext.BaseDirectory) ?? RepositoryRootAbove(Path.GetDirectoryName(SourcePath()))
            ?? throw new InvalidOperationException("scripts/servers.sh not found above " + AppContext.BaseDirectory);

    private static (int Code, string Output) Script(params string[] command)
    {
        var root = RepositoryRoot;

        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "servers.sh"), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 10 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
