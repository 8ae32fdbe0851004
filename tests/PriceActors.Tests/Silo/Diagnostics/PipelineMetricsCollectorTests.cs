using System.Diagnostics;
using System.Diagnostics.Metrics;
using PriceActors.Silo.Diagnostics;

namespace PriceActors.Tests.Silo.Diagnostics;

/// <summary>The collector keeps every measurement in order across its storage chunks, and only while recording.</summary>
public sealed class PipelineMetricsCollectorTests
{
    [Fact]
    public void Of_MoreMeasurementsThanSeveralChunks_EveryOneInArrivalOrder()
    {
        using var meter = new Meter(PipelineMetrics.MeterName);
        var histogram = meter.CreateHistogram<double>("test.collector." + Guid.NewGuid().ToString("N"));
        using var metrics = new PipelineMetricsCollector();

        for (var i = 0; i < 20_000; i++)
        {
            histogram.Record(i);
        }

        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (double)i), metrics.Of(histogram.Name));
    }

    [Fact]
    public async Task Of_RecordedFromSeveralThreads_NoneLost()
    {
        using var meter = new Meter(PipelineMetrics.MeterName);
        var histogram = meter.CreateHistogram<int>("test.collector." + Guid.NewGuid().ToString("N"));
        using var metrics = new PipelineMetricsCollector();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                histogram.Record((t * 10_000) + i);
            }
        })));

        Assert.Equal(Enumerable.Range(0, 40_000).Select(i => (double)i), metrics.Of(histogram.Name).Order());
    }

    [Fact]
    public void Of_RecordedWhileNotRecording_Dropped()
    {
        using var meter = new Meter(PipelineMetrics.MeterName);
        var histogram = meter.CreateHistogram<double>("test.collector." + Guid.NewGuid().ToString("N"));
        using var metrics = new PipelineMetricsCollector(recording: false);

        histogram.Record(1);
        metrics.Recording = true;
        histogram.Record(2);
        metrics.Recording = false;
        histogram.Record(3);

        Assert.Equal([2.0], metrics.Of(histogram.Name));
    }

    [Fact]
    public void TimedOf_MoreMeasurementsThanSeveralChunks_EachWithTheTimeItWasRecorded()
    {
        using var meter = new Meter(PipelineMetrics.MeterName);
        var histogram = meter.CreateHistogram<double>("test.collector." + Guid.NewGuid().ToString("N"));
        using var metrics = new PipelineMetricsCollector();
        var before = Stopwatch.GetTimestamp();
        for (var i = 0; i < 20_000; i++)
        {
            histogram.Record(i);
        }

        var middle = Stopwatch.GetTimestamp();
        for (var i = 20_000; i < 20_010; i++)
        {
            histogram.Record(i);
        }

        var (values, stamps) = metrics.TimedOf(histogram.Name);

        Assert.Equal(Enumerable.Range(0, 20_010).Select(i => (double)i), values);
        Assert.Equal(values.Length, stamps.Length);
        Assert.Equal(stamps.Order(), stamps);
        Assert.All(stamps[..20_000], stamp => Assert.InRange(stamp, before, middle));
        Assert.All(stamps[20_000..], stamp => Assert.True(stamp >= middle));
    }
}
