using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PriceActors.Silo.Diagnostics;

/// <summary>
/// Keeps every measurement of the <see cref="PipelineMetrics"/> histograms made in this process while
/// <see cref="Recording"/> is set, per histogram name: for the cluster benchmark's stage breakdown and for tests.
/// Memory grows with the measurements, so it is meant for runs of seconds, not for a running silo. It grows a small
/// chunk at a time: a queue's segments double up to 8 MB, and on the benchmark's VM touching that much fresh memory stalls
/// the recording thread, a silo's, for tens of milliseconds (page faults at 11 µs each, bench/README.md).
/// </summary>
public sealed class PipelineMetricsCollector : IDisposable
{
    private readonly ConcurrentDictionary<string, Series> values = new();
    private readonly MeterListener listener = new();

    /// <summary>Starts listening; records at once unless <paramref name="recording"/> is false.</summary>
    public PipelineMetricsCollector(bool recording = true)
    {
        Recording = recording;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.Start();
    }

    /// <summary>Whether measurements are kept now.</summary>
    public bool Recording { get; set; }

    /// <summary>The names of the histograms measured so far.</summary>
    public IEnumerable<string> Names => values.Keys;

    /// <summary>The measurements of one histogram, in arrival order.</summary>
    public double[] Of(string name) => values.TryGetValue(name, out var series) ? series.Values() : [];

    /// <summary>The measurements of one histogram, in arrival order, each with the <see cref="Stopwatch"/> timestamp it was recorded at.</summary>
    public (double[] Values, long[] Stamps) TimedOf(string name) => values.TryGetValue(name, out var series) ? series.Timed() : ([], []);

    /// <inheritdoc/>
    public void Dispose() => listener.Dispose();

    private void Add(string name, double value)
    {
        if (Recording)
        {
            values.GetOrAdd(name, _ => new Series()).Add(value);
        }
    }

    /// <summary>One histogram's measurements and their timestamps in chunks of 64 kB, appended under a lock (recording threads are few).</summary>
    private sealed class Series
    {
        private const int ChunkSize = 8192;
        private readonly List<double[]> chunks = [];
        private readonly List<long[]> stampChunks = [];
        private readonly Lock gate = new();
        private int count;

        public void Add(double value)
        {
            var stamp = Stopwatch.GetTimestamp();
            lock (gate)
            {
                if (count == chunks.Count * ChunkSize)
                {
                    chunks.Add(new double[ChunkSize]);
                    stampChunks.Add(new long[ChunkSize]);
                }

                chunks[count / ChunkSize][count % ChunkSize] = value;
                stampChunks[count / ChunkSize][count % ChunkSize] = stamp;
                count++;
            }
        }

        public double[] Values()
        {
            lock (gate)
            {
                return Copy(chunks);
            }
        }

        public (double[] Values, long[] Stamps) Timed()
        {
            lock (gate)
            {
                return (Copy(chunks), Copy(stampChunks));
            }
        }

        // Under the lock: the first count items of the chunks, in order.
        private T[] Copy<T>(List<T[]> from)
        {
            var all = new T[count];
            for (var i = 0; i < from.Count; i++)
            {
                Array.Copy(from[i], 0, all, i * ChunkSize, Math.Min(ChunkSize, count - (i * ChunkSize)));
            }

            return all;
        }
    }
}
