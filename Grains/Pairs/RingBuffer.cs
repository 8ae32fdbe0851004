namespace PriceActors.Grains.Pairs;

/// <summary>A growable FIFO over a power-of-two array: append at the end, drop from the start, index in between.</summary>
/// <typeparam name="T">The element type, usually a small struct.</typeparam>
internal sealed class RingBuffer<T>
{
    private T[] items;
    private int head;

    public RingBuffer(int initialCapacity = 64)
    {
        items = new T[Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)initialCapacity))];
    }

    public int Count { get; private set; }

    public ref readonly T this[int index] => ref items[(head + index) & (items.Length - 1)];

    public void Add(in T item)
    {
        if (Count == items.Length)
        {
            Grow();
        }

        items[(head + Count) & (items.Length - 1)] = item;
        Count++;
    }

    public void RemoveFirst(int count)
    {
        count = Math.Min(count, Count);
        head = (head + count) & (items.Length - 1);
        Count -= count;
        if (Count == 0)
        {
            head = 0;
        }
    }

    public void Clear()
    {
        head = 0;
        Count = 0;
    }

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

    private void Grow()
    {
        var grown = new T[items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            grown[i] = this[i];
        }

        items = grown;
        head = 0;
    }
}
