using System.Collections.Concurrent;
using System.Text;
using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;
using PriceActors.Silo.RabbitMq.Requests;
using PriceActors.Tests.Support;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Tests.Silo.RabbitMq.Requests;

public sealed class PartitionRequestServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Start_RequestReachesAConsumerThatDoesNotOwnThePartition_RequeuedAndAnsweredByTheOwner()
    {
        await using var harness = new RequestHarness();
        var (formerHost, former, formerStatistics) = harness.StartSilo();
        var (ownerHost, owner, _) = harness.StartSilo();
        var (_, client, _) = await harness.StartGatewayAsync();
        var instrument = RequestHarness.InstrumentsOf(2, 1)[0];
        await RequestHarness.RecordAsync(ownerHost, instrument, 7);

        // The former owner's consumer is still attached while it no longer serves the partition (a hand-over).
        var straggler = new ServedPartition(former, 2);
        straggler.Start();
        var asked = client.GetActor<IPairActor>(instrument.Value).AskAsync(GetLatestPrice.Instance);
        await Eventually.HoldsAsync(() => formerStatistics.RequeuedCount > 0, Deadline, "the straggler to hand the request back");
        owner.Start(2);
        var latest = await asked.WaitAsync(Deadline);
        await straggler.StopAsync();

        Assert.Equal(7, latest!.Sequence);
        Assert.Empty(formerHost.Runtime.GetActiveKeys("pair"));
        Assert.Equal(0L, formerStatistics.ServedCount);
    }

    [Fact]
    public async Task Start_MalformedRequests_EachAnsweredWithAnErrorAndCounted()
    {
        await using var harness = new RequestHarness();
        var (host, server, statistics) = harness.StartSilo();
        var instrument = RequestHarness.InstrumentsOf(1, 1)[0];
        var elsewhere = RequestHarness.InstrumentsOf(3, 1)[0];
        server.Start(1);
        await using var raw = await RawRequester.StartAsync(harness.Bus.Names, 1);

        var unknownType = await raw.AskAsync("Bogus", $"pair/{instrument}", "{}");
        var badBody = await raw.AskAsync("GetMinuteBars", $"pair/{instrument}", "{\"limit\":\"all\"");
        var noTarget = await raw.AskAsync("GetLatestPrice", null, "{}");
        var otherActorType = await raw.AskAsync("GetLatestPrice", $"feed/{instrument}", "{}");
        var wrongPartition = await raw.AskAsync("GetLatestPrice", $"pair/{elsewhere}", "{}");
        var good = await raw.AskAsync("GetLatestPrice", $"pair/{instrument}", "{}");

        Assert.Equal(("error", "malformed request: unknown request type 'Bogus'"), unknownType);
        Assert.Equal("error", badBody.Type);
        Assert.StartsWith("malformed request: the GetMinuteBars body is not valid", badBody.Body, StringComparison.Ordinal);
        Assert.Equal(("error", "malformed request: the 'actor' header '' is not 'type/key'"), noTarget);
        Assert.Equal(("error", "actor type 'feed' is not served over the bus"), otherActorType);
        Assert.Equal("error", wrongPartition.Type);
        Assert.Contains("Streams:PartitionCount", wrongPartition.Body, StringComparison.Ordinal);
        Assert.Equal(("PriceUpdated", "null"), good);
        Assert.Equal((3L, 2L, 1L), (statistics.MalformedCount, statistics.ErrorReplyCount, statistics.ServedCount));
        Assert.Equal([instrument.Value], host.Runtime.GetActiveKeys("pair"));
    }

    [Fact]
    public async Task StopAsync_ServedPartition_StopsConsumingSoLaterRequestsWaitInTheQueue()
    {
        await using var harness = new RequestHarness();
        var (host, server, statistics) = harness.StartSilo();
        var (_, patient, _) = await harness.StartGatewayAsync();
        var (_, hasty, _) = await harness.StartGatewayAsync(TimeSpan.FromMilliseconds(500));
        var instrument = RequestHarness.InstrumentsOf(0, 1)[0];
        await RequestHarness.RecordAsync(host, instrument, 2);
        server.Start(0);
        Assert.NotNull(await patient.GetActor<IPairActor>(instrument.Value).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline));

        await server.StopAsync(0);

        Assert.Empty(server.Partitions);
        await Assert.ThrowsAsync<PriceActors.Runtime.ActorRequestTimeoutException>(
            () => hasty.GetActor<IPairActor>(instrument.Value).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline));
        Assert.Equal(1L, statistics.ServedCount);
    }

    /// <summary>A bare AMQP requester, to send what no transport would.</summary>
    private sealed class RawRequester : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<(string?, string)>> replies = new();
        private readonly IConnection connection;
        private readonly IChannel channel;
        private readonly string queue;

        private RawRequester(IConnection connection, IChannel channel, string queue)
        {
            this.connection = connection;
            this.channel = channel;
            this.queue = queue;
        }

        public static async Task<RawRequester> StartAsync(RabbitMqNames names, int partition)
        {
            var connection = await RabbitMqTestBus.NewAdminConnectionAsync();
            var channel = await connection.CreateChannelAsync();

            // Declared here too, as a gateway does: a request published before the queue exists is dropped.
            await RequestTopology.DeclareAsync(channel, names, partition, CancellationToken.None);
            var requester = new RawRequester(connection, channel, names.RequestQueue(partition));
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) =>
            {
                requester.replies[e.BasicProperties.CorrelationId!].TrySetResult((e.BasicProperties.Type, Encoding.UTF8.GetString(e.Body.Span)));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, consumer);
            return requester;
        }

        public async Task<(string? Type, string Body)> AskAsync(string type, string? actor, string body)
        {
            var id = Guid.NewGuid().ToString("N");
            var reply = replies[id] = new TaskCompletionSource<(string?, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
            var properties = new BasicProperties { Type = type, CorrelationId = id, ReplyTo = "amq.rabbitmq.reply-to", Expiration = "10000" };
            if (actor is not null)
            {
                properties.Headers = new Dictionary<string, object?> { [ServedPartition.ActorHeader] = Encoding.UTF8.GetBytes(actor) };
            }

            await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, Encoding.UTF8.GetBytes(body));
            return await reply.Task.WaitAsync(Deadline);
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
