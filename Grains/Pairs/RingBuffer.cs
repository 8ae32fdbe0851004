using System.Runtime.CompilerServices;

namespace PriceActors.Grains.Pairs;

/// <summary>
/// A FIFO in chunks of <see cref="ChunkSize"/>: append at the end, drop from the start, index in between.
/// A small buffer is one array that doubles up to a chunk; beyond that it grows a chunk at a time and
/// never copies. A window of millions of trades in one doubling array stalled its actor on every doubling,
/// held both copies meanwhile and never gave the memory back; chunks are small objects (not the large-object
/// heap), leave as the window slides past them, and one emptied chunk is kept for the next appends, so a
/// window in steady state allocates nothing.
/// </summary>
/// <typeparam name="T">The element type, usually a small struct.</typeparam>
internal sealed class RingBuffer<T>
{
    /// <summary>Elements per chunk; a chunk of the window's 40-byte entries is 40 kB.</summary>
    public const int ChunkSize = 1 << Shift;

    private const int Shift = 10;
    private const int Mask = ChunkSize - 1;

    // chunks[0] holds the first element at [head]; every chunk but a lone small one is ChunkSize long.
    private readonly List<T[]> chunks = [];
    private T[]? spare;
    private int head;

    public RingBuffer(int initialCapacity = 64)
    {
        chunks.Add(new T[Math.Clamp((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, initialCapacity)), 4, ChunkSize)]);
    }

    public int Count { get; private set; }

    /// <summary>Arrays held, the kept spare included (tests, diagnostics).</summary>
    internal int Chunks => chunks.Count + (spare is null ? 0 : 1);

    public ref readonly T this[int index]
    {
        get
        {
            var at = head + index;
            return ref chunks[at >> Shift][at & Mask];
        }
    }

    public void Add(in T item)
    {
        var at = head + Count;
        if (at >> Shift == chunks.Count || (chunks.Count == 1 && at == chunks[0].Length))
        {
            at = MakeRoom();
        }

        chunks[at >> Shift][at & Mask] = item;
        Count++;
    }

    public void RemoveFirst(int count)
    {
        count = Math.Min(count, Count);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            for (var i = 0; i < count; i++)
            {
                Unsafe.AsRef(in this[i]) = default!;
            }
        }

        head += count;
        Count -= count;
        var emptied = head >> Shift;
        if (emptied > 0)
        {
            spare ??= chunks[0];
            chunks.RemoveRange(0, emptied);
            head &= Mask;
        }

        if (Count == 0)
        {
            head = 0;
            if (chunks.Count == 0)
            {
                chunks.Add(spare!);
                spare = null;
            }
        }
    }

    public void Clear() => RemoveFirst(Count);

    /// <summary>The first index whose key is at least <paramref name="key"/>, or <see cref="Count"/>.</summary>
    public int LowerBound(long key, Func<T, long> keyOf)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (keyOf(this[mid]) < key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    // The last chunk is full: a lone small one is compacted or doubled, otherwise a chunk is added.
    private int MakeRoom()
    {
        var first = chunks[0];
        if (chunks.Count == 1 && first.Length < ChunkSize)
        {
            var target = Count <= first.Length / 2 ? first : new T[first.Length * 2];
            Array.Copy(first, head, target, 0, Count);
            if (target == first)
            {
                Array.Clear(first, Count, first.Length - Count);
            }

            chunks[0] = target;
            head = 0;
            return Count;
        }

        chunks.Add(spare ?? new T[ChunkSize]);
        spare = null;
        return head + Count;
    }
}
