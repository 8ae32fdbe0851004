using Microsoft.Extensions.Options;
using PriceActors.Gateway;
using PriceActors.Gateway.Hosting;

if (GatewayHelp.Requested(args))
{
    Console.WriteLine(GatewayHelp.Text);
    return 0;
}

WebApplication app;
try
{
    app = PriceGateway.Build(args);
}
catch (Exception error) when (error is InvalidOperationException or OptionsValidationException)
{
    // A setting missing or out of range: say which, without a stack trace.
    Console.Error.WriteLine($"PriceActors gateway: {error.Message}");
    return 2;
}

try
{
    await app.RunAsync();
}
catch (OperationCanceledException)
{
    // Stopped (SIGTERM, Ctrl+C) while still starting, e.g. while no silo of the cluster answered yet.
}

return 0;
