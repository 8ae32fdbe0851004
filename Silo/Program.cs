using PriceActors.Silo.Cluster;
using PriceActors.Silo.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SiloHelp.Text);
    return 0;
}

// Settings come from the appsettings.json beside the dll (wherever the process is started from, unless
// --contentRoot says otherwise), then environment variables, then the command line.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
});
builder.Configuration["urls"] ??= "http://localhost:5090";
builder.AddServiceDefaults();
builder.AddClusterSilo();

var app = builder.Build();
app.UseServiceDefaults();
app.MapHealthEndpoints();
try
{
    await app.RunAsync();
}
catch (OperationCanceledException)
{
    // Stopped (SIGTERM, Ctrl+C) while still starting, e.g. while waiting for PostgreSQL.
}

return 0;
