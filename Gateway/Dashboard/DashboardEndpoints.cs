using Microsoft.AspNetCore.StaticFiles;

namespace PriceActors.Gateway.Dashboard;

/// <summary>
/// Serves the live price page at <c>/</c> and its vendored libraries at <c>/lib/…</c> (<c>wwwroot/lib</c>, with their
/// licences) from the assembly, so they work from any working directory.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps <c>/</c> and <c>/lib/{path}</c>.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var page = Read("PriceActors.Gateway.Dashboard.index.html");
        app.MapGet("/", () => Results.Text(page, "text/html; charset=utf-8")).ExcludeFromDescription();

        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith("lib/", StringComparison.Ordinal)).ToDictionary(n => n[4..], Read);
        app.MapGet("/lib/{**path}", (string path, HttpContext context) =>
        {
            if (!files.TryGetValue(path, out var text))
            {
                return Results.NotFound();
            }

            // The folder names carry no version: a day's cache, revalidated.
            context.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text(text, ContentTypes.TryGetContentType(path, out var type) ? type : "text/plain", System.Text.Encoding.UTF8);
        }).ExcludeFromDescription();
        return app;
    }

    internal static string Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
