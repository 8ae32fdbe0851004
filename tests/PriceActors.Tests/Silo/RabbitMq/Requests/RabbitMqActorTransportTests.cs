using PriceActors.Grains;
using PriceActors.Runtime;
using PriceActors.Tests.Support;
using RabbitMQ.Client;

namespace PriceActors.Tests.Silo.RabbitMq.Requests;

public sealed class RabbitMqActorTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AskAsync_OwnerServesThePartition_AnswersEachQueryAsThePairActorDoes()
    {
        await using var harness = new RequestHarness();
        var (host, server, served) = harness.StartSilo();
        var (_, client, sent) = await harness.StartGatewayAsync();
        var instruments = RequestHarness.InstrumentsOf(2, 2);
        await RequestHarness.RecordAsync(host, instruments[0], 25);
        server.Start(2);
        var pair = client.GetActor<IPairActor>(instruments[0].Value);
        var now = DateTimeOffset.UtcNow;

        var latest = await pair.AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);
        var stats = await pair.AskAsync(new GetWindowStats(now.AddMinutes(-1), now.AddSeconds(1))).WaitAsync(Deadline);
        var bars = await pair.AskAsync(new GetMinuteBars(15)).WaitAsync(Deadline);
        var notTradedYet = await client.GetActor<IPairActor>(instruments[1].Value).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);

        var local = host.Pair(instruments[0]);
        Assert.Equal(await local.AskAsync(GetLatestPrice.Instance), latest);
        Assert.Equal(100.125956789m, latest!.Price);
        Assert.Equal(await local.AskAsync(new GetWindowStats(now.AddMinutes(-1), now.AddSeconds(1))), stats);
        Assert.Equal(25, stats.Count);
        var expectedBars = await local.AskAsync(new GetMinuteBars(15));
        Assert.Equal(expectedBars.Closed, bars.Closed);
        Assert.Equal(expectedBars.Open, bars.Open);
        Assert.Null(notTradedYet);
        Assert.Equal((4L, 4L, 0, 0L), (sent.SentCount, sent.AnsweredCount, sent.PendingCount, sent.TimedOutCount));
        Assert.Equal(4L, served.ServedCount);
    }

    [Fact]
    public async Task AskAsync_PartitionsOwnedByTwoSilos_EachRequestAnsweredByItsInstrumentsOwner()
    {
        await using var harness = new RequestHarness();
        var (firstHost, first, firstServed) = harness.StartSilo();
        var (secondHost, second, secondServed) = harness.StartSilo();
        var (_, client, _) = await harness.StartGatewayAsync();
        var ofFirst = RequestHarness.InstrumentsOf(0, 3);
        var ofSecond = RequestHarness.InstrumentsOf(3, 3);
        first.Start(0);
        second.Start(3);

        var answers = await Task.WhenAll(ofFirst.Concat(ofSecond).Select(i => client.GetActor<IPairActor>(i.Value).AskAsync(new GetMinuteBars(1)))).WaitAsync(Deadline);

        Assert.Equal(6, answers.Length);
        Assert.Equal(ofFirst.Select(i => i.Value).Order(), firstHost.Runtime.GetActiveKeys("pair").Order());
        Assert.Equal(ofSecond.Select(i => i.Value).Order(), secondHost.Runtime.GetActiveKeys("pair").Order());
        Assert.Equal((3L, 3L), (firstServed.ServedCount, secondServed.ServedCount));
    }

    [Fact]
    public async Task AskAsync_NobodyOwnsThePartition_ThrowsRequestTimeoutAndTheRequestExpiresInTheQueue()
    {
        await using var harness = new RequestHarness();
        var (_, client, sent) = await harness.StartGatewayAsync(TimeSpan.FromMilliseconds(400));
        var instrument = RequestHarness.InstrumentsOf(1, 1)[0];

        var error = await Assert.ThrowsAsync<ActorRequestTimeoutException>(
            () => client.GetActor<IPairActor>(instrument.Value).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline));

        Assert.Equal(new ActorId("pair", instrument.Value), error.Target);
        Assert.Equal((1L, 0, 0L), (sent.TimedOutCount, sent.PendingCount, sent.AnsweredCount));
        await using var admin = await RabbitMqTestBus.NewAdminConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        await Eventually.HoldsAsync(
            async () => (await channel.QueueDeclarePassiveAsync(harness.Bus.Names.RequestQueue(1))).MessageCount == 0,
            Deadline,
            "the request to expire in its queue");
    }

    [Fact]
    public async Task AskAsync_OwnerAnswersWithAnError_ThrowsActorUnavailableWithTheReason()
    {
        await using var harness = new RequestHarness();
        var (_, server, served) = harness.StartSilo();
        var (_, client, _) = await harness.StartGatewayAsync();
        var instrument = RequestHarness.InstrumentsOf(3, 1)[0];
        server.Start(3);
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<ActorUnavailableException>(
            () => client.GetActor<IPairActor>(instrument.Value).AskAsync(new GetWindowStats(now, now.AddMinutes(-1))).WaitAsync(Deadline));

        Assert.Contains("ends", error.Message, StringComparison.Ordinal);
        Assert.Contains("before it starts", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, served.ErrorReplyCount);
    }

    [Fact]
    public async Task AskAsync_ReplyChannelLostWhileWaiting_SentAgainOnANewChannelAndAnswered()
    {
        await using var harness = new RequestHarness();
        var (host, server, served) = harness.StartSilo();
        var (transport, client, sent) = await harness.StartGatewayAsync(TimeSpan.FromSeconds(60));
        var waiting = RequestHarness.InstrumentsOf(0, 1)[0];
        await RequestHarness.RecordAsync(host, waiting, 3);
        var pending = client.GetActor<IPairActor>(waiting.Value).AskAsync(GetLatestPrice.Instance);
        await Eventually.HoldsAsync(() => sent.SentCount == 1, Deadline, "the request to be sent");
        var lostChannel = transport.ReplyChannel!;

        await KillAsync(lostChannel);

        await Eventually.HoldsAsync(() => sent.SentCount == 2, Deadline, "the request to be sent again");
        Assert.NotSame(lostChannel, transport.ReplyChannel);
        Assert.False(pending.IsCompleted);
        server.Start(0);
        var latest = await pending.WaitAsync(Deadline);
        Assert.Equal(3, latest!.Sequence);
        Assert.Equal((1L, 0L, 1L), (sent.ResentCount, sent.FailedCount, sent.AnsweredCount));
        await Eventually.HoldsAsync(() => served.ServedCount == 2, Deadline, "both copies served (the first one's reply has nowhere to go)");
    }

    [Fact]
    public async Task AskAsync_ReplyChannelLostTwiceWhileWaiting_FailsWithTheReasonAndTheNextRequestIsAnswered()
    {
        await using var harness = new RequestHarness();
        var (host, server, _) = harness.StartSilo();
        var (transport, client, sent) = await harness.StartGatewayAsync(TimeSpan.FromSeconds(60));
        var waiting = RequestHarness.InstrumentsOf(0, 1)[0];
        var answered = RequestHarness.InstrumentsOf(1, 1)[0];
        await RequestHarness.RecordAsync(host, answered, 3);
        var pending = client.GetActor<IPairActor>(waiting.Value).AskAsync(GetLatestPrice.Instance);
        await Eventually.HoldsAsync(() => sent.SentCount == 1, Deadline, "the request to be sent");

        await KillAsync(transport.ReplyChannel!);
        await Eventually.HoldsAsync(() => sent.SentCount == 2, Deadline, "the request to be sent again");
        await KillAsync(transport.ReplyChannel!);

        var error = await Assert.ThrowsAsync<ActorUnavailableException>(() => pending.WaitAsync(Deadline));
        Assert.Contains("channel lost", error.Message, StringComparison.Ordinal);
        server.Start(1);
        var latest = await client.GetActor<IPairActor>(answered.Value).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);
        Assert.Equal(3, latest!.Sequence);
        Assert.Equal((1L, 1L), (sent.ResentCount, sent.FailedCount));
    }

    [Fact]
    public async Task TellAsync_RequestSentOneWay_OwnerHandlesItAndSendsNoReply()
    {
        await using var harness = new RequestHarness();
        var (host, server, served) = harness.StartSilo();
        var (_, client, sent) = await harness.StartGatewayAsync();
        var instrument = RequestHarness.InstrumentsOf(1, 1)[0];
        server.Start(1);

        await client.GetActor<IPairActor>(instrument.Value).TellAsync(new GetMinuteBars(3)).AsTask().WaitAsync(Deadline);

        await Eventually.HoldsAsync(() => served.ServedCount == 1, Deadline, "the owner to handle the one-way message");
        Assert.Equal([instrument.Value], host.Runtime.GetActiveKeys("pair"));
        Assert.Equal((0L, 0L, 0), (sent.SentCount, sent.AnsweredCount, sent.PendingCount));
    }

    [Fact]
    public async Task AskAsync_MorePendingThanAllowed_FailsAtOnceAndCancelledOnesFreeTheirPlace()
    {
        await using var harness = new RequestHarness();
        var (_, client, sent) = await harness.StartGatewayAsync(TimeSpan.FromSeconds(60), maxPending: 2);
        var pair = client.GetActor<IPairActor>(RequestHarness.InstrumentsOf(0, 1)[0].Value);
        using var cancel = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 2).Select(_ => pair.AskAsync(GetLatestPrice.Instance, cancel.Token)).ToList();
        await Eventually.HoldsAsync(() => sent.SentCount == 2, Deadline, "two requests sent");

        var error = await Assert.ThrowsAsync<ActorUnavailableException>(() => pair.AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline));
        await cancel.CancelAsync();

        Assert.Contains("2 requests are already waiting", error.Message, StringComparison.Ordinal);
        foreach (var request in waiting)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(Deadline));
        }

        Assert.Equal((0, 2L, 1L), (sent.PendingCount, sent.SentCount, sent.FailedCount));
    }

    // A channel error closes the channel from the broker's side, as a lost connection would.
    private static async Task KillAsync(IChannel channel)
    {
        try
        {
            await channel.BasicPublishAsync("no-such-exchange-" + Guid.NewGuid().ToString("N"), "x", "x"u8.ToArray());
        }
        catch (RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // Closed before the publish returned.
        }

        await Eventually.HoldsAsync(() => !channel.IsOpen, Deadline, "the broker to close the channel");
    }
}
