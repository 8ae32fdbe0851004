using PriceActors.Gateway;
using PriceActors.Gateway.Hosting;

if (GatewayHelp.Requested(args))
{
    Console.WriteLine(GatewayHelp.Text);
    return 0;
}

await PriceGateway.Build(args).RunAsync();
return 0;
