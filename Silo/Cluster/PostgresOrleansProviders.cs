using Orleans.Providers;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

using PriceActors.Silo.Streaming;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// The Orleans ADO.NET providers on PostgreSQL, on the tables and queries of <c>sql/006</c>–<c>010</c> (the schema
/// migrator applies them with the rest): membership, the grain storage of stream subscriptions, reminders and the
/// durable tick streams.
/// </summary>
public static class PostgresOrleansProviders
{
    /// <summary>The ADO.NET invariant of Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Configures a silo: ADO.NET clustering, the <c>PubSubStore</c> grain storage (the update streams' explicit
    /// subscriptions outlive the silo that holds them), ADO.NET reminders, and the tick streams
    /// (<see cref="StreamNames.TickProvider"/>) as ADO.NET streams: a round stays in PostgreSQL until every pair of it
    /// stored its trades, so a silo that dies loses none; the tick routers subscribe implicitly.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="connectionString">The PostgreSQL database, its schema applied.</param>
    /// <param name="pollPeriod">How often a pulling agent looks for new ticks in its queue.</param>
    /// <param name="queues">The tick stream's queues (each a pulling agent on one of the silos).</param>
    /// <param name="visibilityTimeout">How long batches an agent took stay hidden from other agents until it confirms them.</param>
    /// <param name="roundsPerDelivery">At most this many queued rounds of a stream reach its router in one delivery.</param>
    public static ISiloBuilder UsePostgresProviders(
        this ISiloBuilder silo, string connectionString, TimeSpan pollPeriod, int queues, TimeSpan visibilityTimeout, int roundsPerDelivery)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(FeedModeGrain.Storage, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetStreams(StreamNames.TickProvider, streams =>
        {
            streams.ConfigureAdoNet(o => o.Configure(a =>
            {
                a.Invariant = Invariant;
                a.ConnectionString = connectionString;
                a.VisibilityTimeout = visibilityTimeout;
            }));
            streams.ConfigurePartitioning(queues);
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.ConfigurePullingAgent(o => o.Configure(p => (p.GetQueueMsgsTimerPeriod, p.BatchContainerBatchSize) = (pollPeriod, roundsPerDelivery)));
            streams.ConfigureBackoffProvider(QueueReadBackoff.Ticks);
        });
        return silo;
    }

    /// <summary>
    /// Configures a cluster client that publishes ticks (a feed outside the silos, the benchmarks, the tests): the tick
    /// streams as the silos have them; <paramref name="queues"/> must be the silos' <c>Orleans:StreamQueues</c>.
    /// </summary>
    /// <param name="client">The client builder.</param>
    /// <param name="connectionString">The PostgreSQL database of the silos.</param>
    /// <param name="queues">The silos' tick stream queues.</param>
    public static IClientBuilder AddPostgresTickStreams(this IClientBuilder client, string connectionString, int queues) =>
        client.AddAdoNetStreams(StreamNames.TickProvider, streams =>
        {
            streams.ConfigureAdoNet(o => o.Configure(a =>
            {
                a.Invariant = Invariant;
                a.ConnectionString = connectionString;
            }));
            streams.ConfigurePartitioning(queues);
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
        });

    /// <summary>Configures a cluster client (a gateway): it finds the silos' gateways in the membership table.</summary>
    /// <param name="client">The client builder.</param>
    /// <param name="connectionString">The PostgreSQL database of the silos.</param>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder client, string connectionString) =>
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
}
