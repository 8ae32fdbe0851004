using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;

namespace PriceActors.Silo;

/// <summary>Adds a silo to a host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// The options every silo's grains read: <c>Pairs</c>, <c>Feeds:Synthetic</c>, the live feeds (<c>Feeds</c>), and the
    /// instrument catalog built from the feeds.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddGrainOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<PairOptions>(PairOptions.Section);
        services.AddOptions<SyntheticFeedOptions>()
            .BindConfiguration(SyntheticFeedOptions.Section)
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<LiveFeedsOptions>()
            .BindConfiguration(LiveFeedsOptions.Section)
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ConfiguredInstrumentCatalog>();
        services.TryAddSingleton<IInstrumentCatalog>(sp => sp.GetRequiredService<ConfiguredInstrumentCatalog>());
        return services;
    }

    private static void AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
