using System.Collections.Concurrent;
using Orleans.Storage;

namespace PriceActors.Tests.Support;

/// <summary>
/// Grain storage shared by every silo of one in-process test cluster, standing in for a database: state written through
/// one silo survives that silo's death (Orleans' memory storage keeps each record on one silo and loses it with it).
/// </summary>
internal sealed class SharedGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), (object State, string ETag)> records = new();
    private long version;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = (T)record.State;
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Interlocked.Increment(ref version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        records[(stateName, grainId)] = (grainState.State!, etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        records.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
