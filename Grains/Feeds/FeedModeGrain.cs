using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The cluster's feed mode (<see cref="IFeedModeGrain"/>), stored in Orleans grain storage <see cref="Storage"/>
/// (PostgreSQL in the cluster, memory in embedded mode). A switch is stored first, so a crash half-way is finished by
/// the feed keepers, which start the stored mode's feeds with its epoch and stop the other mode's.
/// </summary>
public sealed partial class FeedModeGrain(
    [PersistentState("feed-mode", FeedModeGrain.Storage)] IPersistentState<FeedModeState> state,
    IOptions<LiveFeedsOptions> live,
    IOptions<SyntheticFeedOptions> synthetic,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<FeedModeGrain> logger) : Grain, IFeedModeGrain
{
    /// <summary>The grain storage provider holding the mode.</summary>
    public const string Storage = "FeedModeStore";

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists)
        {
            var now = time.GetUtcNow();
            var proxy = live.Value.Proxy;
            state.State = new FeedModeState
            {
                Mode = live.Value.Mode,
                Epoch = now.ToUnixTimeMilliseconds(),
                ChangedAt = now,
                ProxyPolicy = live.Value.Mode == FeedMode.Test ? ProxyPolicy.Disabled : proxy.Policy,
                ProxyUrls = [.. proxy.Urls],
                ProxyVersion = 1,
            };
            await state.WriteStateAsync(cancellationToken);
            LogFirstMode(state.State.Mode, state.State.Epoch);
        }
    }

    /// <inheritdoc/>
    public Task<FeedModeStatus> GetAsync() => Task.FromResult(Status());

    /// <inheritdoc/>
    public async Task<FeedModeStatus> SwitchAsync(FeedMode mode)
    {
        var from = state.State.Mode;
        if (mode == from)
        {
            return Status();
        }

        var now = time.GetUtcNow();
        var previous = state.State;
        state.State = new FeedModeState
        {
            Mode = mode,
            Epoch = Math.Max(now.ToUnixTimeMilliseconds(), previous.Epoch + 1),
            ChangedAt = now,
            ProxyPolicy = mode == FeedMode.Test ? ProxyPolicy.Disabled : previous.ProxyPolicy,
            ProxyUrls = previous.ProxyUrls,
            ProxyVersion = previous.ProxyVersion + (mode == FeedMode.Test && previous.ProxyPolicy != ProxyPolicy.Disabled ? 1 : 0),
        };
        await state.WriteStateAsync();
        LogSwitched(from, mode, state.State.Epoch);

        var next = live.Value.ExchangesIn(mode, synthetic.Value);
        var status = Status();
        await Task.WhenAll(live.Value.ExchangesIn(from, synthetic.Value).Except(next).Select(e => FeedAsync(e, f => f.StopAsync())));
        await Task.WhenAll(next.Select(e => FeedAsync(e, f => f.StartAsync(status))));
        return status;
    }

    /// <inheritdoc/>
    public async Task<FeedModeStatus> ChangeProxyAsync(ProxyPolicy? policy, IReadOnlyList<string>? urls)
    {
        var current = state.State;
        var nextUrls = urls is null ? current.ProxyUrls : [.. urls];
        var nextPolicy = policy ?? current.ProxyPolicy;
        foreach (var url in urls ?? [])
        {
            if (FeedProxySettings.Problem(url) is { } problem)
            {
                throw new ArgumentException($"Not a proxy: {problem}.", nameof(urls));
            }
        }

        if (nextPolicy != ProxyPolicy.Disabled && current.Mode == FeedMode.Test)
        {
            throw new InvalidOperationException("The feeds are in test mode, which uses no proxy: switch to live mode first (POST /mode/live).");
        }

        if (nextPolicy != ProxyPolicy.Disabled && nextUrls.Count == 0)
        {
            throw new InvalidOperationException("No proxy is configured: set one first (POST /proxy/set-static or /proxy/set-rotating).");
        }

        state.State = new FeedModeState
        {
            Mode = current.Mode,
            Epoch = current.Epoch,
            ChangedAt = current.ChangedAt,
            ProxyPolicy = nextPolicy,
            ProxyUrls = nextUrls,
            ProxyVersion = current.ProxyVersion + 1,
        };
        await state.WriteStateAsync();
        LogProxyChanged(nextPolicy, nextUrls.Count, string.Join(", ", nextUrls.Select(FeedProxySettings.Describe)));

        var status = Status();
        if (current.Mode == FeedMode.Live)
        {
            await Task.WhenAll(live.Value.ExchangesIn(FeedMode.Live, synthetic.Value).Select(e => FeedAsync(e, f => f.StartAsync(status))));
        }

        return status;
    }

    private async Task FeedAsync(string exchange, Func<IExchangeFeedGrain, Task<FeedStatus>> call)
    {
        try
        {
            await call(GrainFactory.GetGrain<IExchangeFeedGrain>(exchange));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // The feed keepers bring it into the stored mode within their interval.
            LogFeedNotSwitched(error, exchange);
        }
    }

    private FeedModeStatus Status() => new(
        state.State.Mode,
        state.State.Epoch,
        state.State.ChangedAt,
        new FeedProxySettings(state.State.ProxyPolicy, [.. state.State.ProxyUrls], state.State.ProxyVersion));

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Feed mode {Mode} (epoch {Epoch}) stored: the configured mode, first use of this cluster")]
    private partial void LogFirstMode(FeedMode mode, long epoch);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Feed mode switched from {From} to {To}: epoch {Epoch}")]
    private partial void LogSwitched(FeedMode from, FeedMode to, long epoch);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning, Message = "Feed proxies changed: policy {Policy}, {Count} proxies ({Proxies})")]
    private partial void LogProxyChanged(ProxyPolicy policy, int count, string proxies);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Feed {Exchange} did not follow the mode switch at once; the feed keeper will")]
    private partial void LogFeedNotSwitched(Exception error, string exchange);
}

/// <summary>The stored feed mode.</summary>
[GenerateSerializer]
[Alias("priceactors.FeedModeState")]
public sealed class FeedModeState
{
    /// <summary>Test or live.</summary>
    [Id(0)]
    public FeedMode Mode { get; set; }

    /// <summary>The epoch of the mode's trades.</summary>
    [Id(1)]
    public long Epoch { get; set; }

    /// <summary>When the mode was set.</summary>
    [Id(2)]
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>When live feeds use the proxies.</summary>
    [Id(3)]
    public ProxyPolicy ProxyPolicy { get; set; }

    /// <summary>The proxies, with their credentials.</summary>
    [Id(4)]
    public List<string> ProxyUrls { get; set; } = [];

    /// <summary>Rises with every change of the proxies.</summary>
    [Id(5)]
    public long ProxyVersion { get; set; }
}
