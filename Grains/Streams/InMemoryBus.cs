using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace PriceActors.Grains.Streams;

/// <summary>
/// The embedded mode's bus: one bounded channel per tick partition, all consumed in this process,
/// and a direct in-process fan-out of updates. Single process only: nothing is durable, nothing
/// crosses a process boundary, and whatever is queued when the process stops is lost. Run several
/// silos or gateways on the RabbitMQ bus (cluster mode) instead.
/// </summary>
public sealed class InMemoryBus : ITickStream, IUpdateStream
{
    private readonly Channel<TickBatch>[] partitions;
    private readonly ConcurrentDictionary<(string Exchange, string Symbol), IUpdateObserver[]> routes = new();
    private readonly Lock routesLock = new();
    private int consuming;
    private long batchesPublished;
    private long ticksPublished;
    private long updatesPublished;
    private long updatesDelivered;

    /// <summary>Creates the bus.</summary>
    /// <param name="options">Partition count and buffer sizes.</param>
    public InMemoryBus(IOptions<StreamOptions> options)
    {
        var settings = options.Value;
        partitions = new Channel<TickBatch>[settings.PartitionCount];
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i] = Channel.CreateBounded<TickBatch>(new BoundedChannelOptions(settings.PartitionBufferCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    /// <inheritdoc/>
    public int PartitionCount => partitions.Length;

    /// <inheritdoc/>
    public ValueTask PublishAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref batchesPublished);
        Interlocked.Add(ref ticksPublished, batch.Ticks.Length);
        var writer = partitions[PartitionMap.PartitionOf(batch.Instrument, partitions.Length)].Writer;
        return writer.TryWrite(batch) ? ValueTask.CompletedTask : writer.WriteAsync(batch, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task ConsumeAsync(Func<TickBatch, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref consuming, 1) == 1)
        {
            throw new InvalidOperationException("The in-memory bus has one consumer: the silo of this process.");
        }

        try
        {
            await Task.WhenAll(partitions.Select(p => ConsumePartitionAsync(p.Reader, handler, cancellationToken)));
        }
        finally
        {
            Volatile.Write(ref consuming, 0);
        }
    }

    /// <inheritdoc/>
    public ValueTask PublishAsync(PriceUpdated update)
    {
        Deliver(update.Exchange, update.Symbol, static (o, u) => o.OnPriceUpdated(u), update);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask PublishAsync(MinuteBarClosed closed)
    {
        Deliver(closed.Bar.Exchange, closed.Bar.Symbol, static (o, c) => o.OnMinuteBarClosed(c), closed);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public IUpdateSubscription Subscribe(IUpdateObserver observer) => new Subscription(this, observer);

    /// <summary>The bus's counters now.</summary>
    public BusStatistics GetStatistics() => new(
        "in-memory",
        partitions.Length,
        partitions.Sum(p => (long)p.Reader.Count),
        Interlocked.Read(ref batchesPublished),
        Interlocked.Read(ref ticksPublished),
        Interlocked.Read(ref updatesPublished),
        Interlocked.Read(ref updatesDelivered),
        routes.Count);

    private static async Task ConsumePartitionAsync(
        ChannelReader<TickBatch> reader,
        Func<TickBatch, CancellationToken, ValueTask> handler,
        CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var batch))
                {
                    await handler(batch, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what is still queued stays for the next consumer of this process, if any.
        }
    }

    private void Deliver<T>(string exchange, string symbol, Action<IUpdateObserver, T> deliver, T item)
    {
        Interlocked.Increment(ref updatesPublished);
        if (routes.TryGetValue((exchange, symbol), out var observers))
        {
            foreach (var observer in observers)
            {
                deliver(observer, item);
            }

            Interlocked.Add(ref updatesDelivered, observers.Length);
        }
    }

    private void Route(InstrumentKey instrument, IUpdateObserver observer, bool add)
    {
        var key = (instrument.Exchange, instrument.Symbol);
        lock (routesLock)
        {
            var current = routes.GetValueOrDefault(key, []);
            var next = add
                ? (current.Contains(observer) ? current : [.. current, observer])
                : [.. current.Where(o => o != observer)];
            if (next.Length == 0)
            {
                routes.TryRemove(key, out _);
            }
            else
            {
                routes[key] = next;
            }
        }
    }

    private sealed class Subscription(InMemoryBus bus, IUpdateObserver observer) : IUpdateSubscription
    {
        private readonly ConcurrentDictionary<InstrumentKey, byte> instruments = new();

        public ValueTask AddAsync(InstrumentKey instrument)
        {
            if (instruments.TryAdd(instrument, 0))
            {
                bus.Route(instrument, observer, add: true);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask RemoveAsync(InstrumentKey instrument)
        {
            if (instruments.TryRemove(instrument, out _))
            {
                bus.Route(instrument, observer, add: false);
            }

            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var instrument in instruments.Keys)
            {
                await RemoveAsync(instrument);
            }
        }
    }
}
