using System.Collections.Concurrent;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Feeds;

public sealed class ExchangeFeedActorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = FeedHarness.StartTime;

    [Fact]
    public async Task StartFeed_Paced_PublishesExactlyTheTicksThatFallDue()
    {
        await using var feed = FeedHarness.Start();

        var started = await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);
        var again = await feed.AskAsync(StartFeed.Instance);
        for (var second = 1; second <= 5; second++)
        {
            feed.Clock.Advance(TimeSpan.FromSeconds(1));
            await feed.ExpectPublishedUntilAsync(Start.AddSeconds(second));
        }

        var stopped = await feed.AskAsync(StopFeed.Instance);

        Assert.Equal(new FeedStatus("binance", FeedState.Running, "synthetic", 2, 0, null, null), started);
        Assert.Equal(FeedState.Running, again.State);
        Assert.Equal(FeedState.Stopped, stopped.State);
        Assert.Equal(feed.Expected.Count, stopped.TicksPublished);
        Assert.True(feed.Expected.Count > 100, $"{feed.Expected.Count} ticks");
        Assert.Contains(stopped.LastTickAt!.Value, feed.Consumer.Batches.Select(b => b.Ticks.Span[^1].ExchangeTime));
        Assert.Equal(stopped, await feed.AskAsync(GetFeedStatus.Instance));
    }

    [Fact]
    public async Task StopFeed_Running_PublishesNothingMore()
    {
        await using var feed = FeedHarness.Start();
        await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);
        feed.Clock.Advance(TimeSpan.FromSeconds(2));
        await feed.ExpectPublishedUntilAsync(Start.AddSeconds(2));

        var stopped = await feed.AskAsync(StopFeed.Instance);
        feed.Clock.Advance(TimeSpan.FromSeconds(5));
        var status = await feed.AskAsync(GetFeedStatus.Instance);

        Assert.Equal(FeedState.Stopped, status.State);
        Assert.Equal(stopped.TicksPublished, status.TicksPublished);
        Assert.Equal(stopped.TicksPublished, feed.Host.Bus.GetStatistics().TicksPublished);
        Assert.Equal(feed.Expected.Count, feed.Consumer.Ticks.Count);
    }

    [Fact]
    public async Task StartFeed_PermitLapses_PublishesNothingMoreStopsAndSaysWhyThenResumesWhenStartedAgain()
    {
        var permit = new SwitchablePermit();
        await using var feed = FeedHarness.Start(permit: permit);
        await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);
        feed.Clock.Advance(TimeSpan.FromSeconds(2));
        await feed.ExpectPublishedUntilAsync(Start.AddSeconds(2));

        // A silo frozen past its lease wakes up: its clock has moved on, its election has not run yet.
        permit.Allowed = false;
        feed.Clock.Advance(TimeSpan.FromSeconds(3));
        await Eventually.HoldsAsync(async () => (await feed.AskAsync(GetFeedStatus.Instance)).State == FeedState.Stopped, Deadline, "the feed stopped itself");
        var lapsed = await feed.AskAsync(GetFeedStatus.Instance);

        Assert.Null(lapsed.LastError);
        Assert.Equal(feed.Expected.Count, lapsed.TicksPublished);
        Assert.Equal(feed.Expected.Count, feed.Consumer.Ticks.Count);
        Assert.Equal(1, feed.Host.Logs.CountOf(3004));
        Assert.Contains("binance", permit.Asked);

        // Its election gains the lease again and starts it: the walks go on from where the clock is now.
        permit.Allowed = true;
        var restarted = await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(2);
        feed.Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => feed.Consumer.Ticks.Count > lapsed.TicksPublished, Deadline, "ticks after the restart");

        Assert.Equal(FeedState.Running, restarted.State);
        Assert.All(feed.Consumer.Ticks.Skip((int)lapsed.TicksPublished), t => Assert.True(t.ExchangeTime > Start.AddSeconds(2)));
    }

    [Fact]
    public async Task StartFeed_AfterStop_ContinuesTheSameRandomWalks()
    {
        await using var feed = FeedHarness.Start();
        await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);
        feed.Clock.Advance(TimeSpan.FromSeconds(1));
        await feed.ExpectPublishedUntilAsync(Start.AddSeconds(1));
        await feed.AskAsync(StopFeed.Instance);
        feed.Clock.Advance(TimeSpan.FromSeconds(2));

        var restarted = await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(2);
        feed.Clock.Advance(TimeSpan.FromSeconds(1));
        await feed.ExpectPublishedUntilAsync(Start.AddSeconds(4));
        var stopped = await feed.AskAsync(StopFeed.Instance);

        Assert.Equal(FeedState.Running, restarted.State);
        Assert.Equal(feed.Expected.Count, stopped.TicksPublished);
    }

    [Fact]
    public async Task StopFeed_NeverStarted_ReportsStoppedAndEmpty()
    {
        await using var feed = FeedHarness.Start();

        var status = await feed.AskAsync(StopFeed.Instance);

        Assert.Equal(new FeedStatus("binance", FeedState.Stopped, "synthetic", 0, 0, null, null), status);
    }

    [Fact]
    public async Task StartFeed_ExchangeWithoutConfiguredFeed_ThrowsInvalidOperation()
    {
        await using var feed = FeedHarness.Start();

        await Assert.ThrowsAsync<InvalidOperationException>(() => feed.Host.Feed("kraken").AskAsync(StartFeed.Instance).WaitAsync(Deadline));
    }

    [Fact]
    public async Task StartFeed_StreamFails_ReportsFaultedWithTheError()
    {
        var stream = new FailingStream();
        await using var feed = FeedHarness.Start(stream);
        await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);

        feed.Clock.Advance(TimeSpan.FromSeconds(1));
        await stream.Failed.WaitAsync(Deadline);
        var status = await feed.AskAsync(StopFeed.Instance);

        Assert.Equal((FeedState.Faulted, "partition unavailable", 0L), (status.State, status.LastError, status.TicksPublished));
        Assert.Equal(status, await feed.AskAsync(GetFeedStatus.Instance));
    }

    [Fact]
    public async Task IdleCollection_RunningFeed_KeepsTheActorUntilStopped()
    {
        await using var feed = FeedHarness.Start(
            actors: o => (o.IdleTimeout, o.CollectionInterval) = (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)),
            ticksPerSecond: 0.5);
        await feed.AskAsync(StartFeed.Instance);
        await feed.Clock.WaitForPublishTimersAsync(1);

        feed.Clock.Advance(TimeSpan.FromMinutes(3));
        var running = await feed.AskAsync(GetFeedStatus.Instance);
        var deactivatedWhileRunning = feed.Host.Logs.CountOf(1002);
        await feed.AskAsync(StopFeed.Instance);
        feed.Clock.Advance(TimeSpan.FromMinutes(3));
        await feed.Host.Logs.WaitForCountAsync(1002, 1);
        var fresh = await feed.AskAsync(GetFeedStatus.Instance);

        Assert.Equal(FeedState.Running, running.State);
        Assert.Equal(0, deactivatedWhileRunning);
        Assert.Equal(new FeedStatus("binance", FeedState.Stopped, "synthetic", 0, 0, null, null), fresh);
    }

    private sealed class SwitchablePermit : IFeedPermit
    {
        private volatile bool allowed = true;

        public bool Allowed
        {
            get => allowed;
            set => allowed = value;
        }

        public ConcurrentBag<string> Asked { get; } = [];

        public bool MayPublish(string exchange)
        {
            Asked.Add(exchange);
            return allowed;
        }
    }
}
