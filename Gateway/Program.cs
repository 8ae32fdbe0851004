using PriceActors.Gateway;

await PriceGateway.Build(args).RunAsync();
