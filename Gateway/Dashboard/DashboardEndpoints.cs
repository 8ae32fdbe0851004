namespace PriceActors.Gateway.Dashboard;

/// <summary>Serves the live price page at <c>/</c> from the assembly, so it works from any working directory.</summary>
public static class DashboardEndpoints
{
    /// <summary>Maps <c>/</c>.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        var page = ReadPage();
        app.MapGet("/", () => Results.Text(page, "text/html; charset=utf-8"));
        return app;
    }

    private static string ReadPage()
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("PriceActors.Gateway.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
