using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PriceActors.Silo.Diagnostics;

/// <summary>
/// Keeps every measurement of the <see cref="PipelineMetrics"/> histograms made in this process while
/// <see cref="Recording"/> is set, per histogram name: for the cluster benchmark's stage breakdown and for tests.
/// Memory grows with the measurements, so it is meant for runs of seconds, not for a running silo.
/// </summary>
public sealed class PipelineMetricsCollector : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> values = new();
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
    public double[] Of(string name) => values.TryGetValue(name, out var queue) ? [.. queue] : [];

    /// <inheritdoc/>
    public void Dispose() => listener.Dispose();

    private void Add(string name, double value)
    {
        if (Recording)
        {
            values.GetOrAdd(name, _ => new ConcurrentQueue<double>()).Enqueue(value);
        }
    }
}
