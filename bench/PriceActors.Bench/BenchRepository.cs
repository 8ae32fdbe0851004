namespace PriceActors.Bench;

/// <summary>The repository the benchmark runs from, and the Release builds of its processes (<c>dotnet build -c Release</c>).</summary>
internal static class BenchRepository
{
    public static string Root { get; } = Find();

    public static string SiloDll => Built("Silo", "PriceActors.Silo.dll");

    public static string GatewayDll => Built("Gateway", "PriceActors.Gateway.dll");

    /// <summary>This benchmark's own Release build, which also runs the naive gateway (<see cref="NaiveGateway"/>).</summary>
    public static string BenchDll => Built(Path.Combine("bench", "PriceActors.Bench"), "PriceActors.Bench.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", "Release", "net10.0", dll);
        return File.Exists(path) ? path
            : throw new InvalidOperationException($"{path} is missing: build first with `dotnet build -c Release` in {Root}.");
    }

    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PriceActors.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the benchmark inside the repository: PriceActors.sln not found above the current folder.");
    }
}
