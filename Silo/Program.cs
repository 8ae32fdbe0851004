using PriceActors.Silo.Cluster;
using PriceActors.Silo.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SiloHelp.Text);
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration["urls"] ??= "http://localhost:5090";
builder.AddServiceDefaults();
builder.Services.AddClusterSilo(builder.Configuration);

var app = builder.Build();
app.UseServiceDefaults();
app.MapHealthEndpoints();
await app.RunAsync();
return 0;
