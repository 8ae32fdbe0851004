using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Feeds;

/// <summary>Settings of the feed keeper, bound from the <c>Feeds:Keeper</c> section.</summary>
public sealed class FeedKeeperOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Feeds:Keeper";

    /// <summary>
    /// How often each silo asks every configured feed grain to run; bounds how long a feed stays down after its silo
    /// died (plus the time Orleans takes to declare that silo dead). Default 2 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether this silo keeps the feeds running at all; false leaves them stopped (tests that are the feed). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether the keeper stops every feed when its silo shuts down, so the last batches reach the pairs before the
    /// silo stops: the embedded silo's choice. A cluster silo leaves them running: the feeds it hosts stop as their
    /// grains deactivate, and the other silos' keepers start them again. Default true.
    /// </summary>
    public bool StopFeedsOnShutdown { get; set; } = true;
}

/// <summary>Adds the feed keeper to a silo's host.</summary>
public static class FeedKeeperServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="FeedKeeperOptions"/> (section <c>Feeds:Keeper</c>, validated at start) and the feed keeper; add it
    /// after the silo, so it stops the feeds before the silo stops.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddFeedKeeper(this IServiceCollection services)
    {
        services.AddOptions<FeedKeeperOptions>().BindConfiguration(FeedKeeperOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<FeedKeeper>();
        return services;
    }
}
