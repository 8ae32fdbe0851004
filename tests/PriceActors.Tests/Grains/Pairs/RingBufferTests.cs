using PriceActors.Grains.Pairs;

namespace PriceActors.Tests.Grains.Pairs;

public sealed class RingBufferTests
{
    [Fact]
    public void Add_BeyondInitialCapacity_GrowsAndKeepsOrder()
    {
        var buffer = new RingBuffer<int>(initialCapacity: 0);

        for (var i = 0; i < 100; i++)
        {
            buffer.Add(i);
        }

        Assert.Equal(100, buffer.Count);
        Assert.Equal(Enumerable.Range(0, 100), Items(buffer));
    }

    [Fact]
    public void Add_AfterRemoveFirstWrapsAroundThenGrows_KeepsOrder()
    {
        var buffer = new RingBuffer<int>(initialCapacity: 4);
        buffer.Add(0);
        buffer.Add(1);
        buffer.Add(2);
        buffer.Add(3);
        buffer.RemoveFirst(3);

        buffer.Add(4);
        buffer.Add(5);
        buffer.Add(6);
        var wrapped = Items(buffer);
        buffer.Add(7);

        Assert.Equal([3, 4, 5, 6], wrapped);
        Assert.Equal([3, 4, 5, 6, 7], Items(buffer));
    }

    [Fact]
    public void RemoveFirst_MoreThanCount_EmptiesAndStaysUsable()
    {
        var buffer = new RingBuffer<int>(initialCapacity: 4);
        buffer.Add(1);
        buffer.Add(2);

        buffer.RemoveFirst(5);
        buffer.Add(9);

        Assert.Equal([9], Items(buffer));
    }

    [Fact]
    public void Clear_NonEmpty_LeavesNothing()
    {
        var buffer = new RingBuffer<int>();
        buffer.Add(1);
        buffer.Add(2);

        buffer.Clear();

        Assert.Equal(0, buffer.Count);
        buffer.Add(3);
        Assert.Equal([3], Items(buffer));
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(10, 0)]
    [InlineData(15, 1)]
    [InlineData(20, 1)]
    [InlineData(21, 3)]
    [InlineData(30, 3)]
    [InlineData(31, 4)]
    public void LowerBound_SortedKeysAcrossTheWrap_ReturnsFirstIndexNotBelowKey(long key, int expected)
    {
        var buffer = new RingBuffer<long>(initialCapacity: 4);
        buffer.Add(0);
        buffer.Add(0);
        buffer.Add(0);
        buffer.RemoveFirst(3);
        foreach (var value in new long[] { 10, 20, 20, 30 })
        {
            buffer.Add(value);
        }

        Assert.Equal(expected, buffer.LowerBound(key, static v => v));
    }

    [Fact]
    public void LowerBound_Empty_ReturnsZero()
    {
        Assert.Equal(0, new RingBuffer<long>().LowerBound(42, static v => v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomAddsAndRemoves_MatchAList(int seed)
    {
        var random = new Random(seed);
        var buffer = new RingBuffer<long>(initialCapacity: 4);
        var reference = new List<long>();
        long next = 0;

        for (var step = 0; step < 5_000; step++)
        {
            if (random.Next(3) == 0)
            {
                var count = random.Next(0, 6);
                buffer.RemoveFirst(count);
                reference.RemoveRange(0, Math.Min(count, reference.Count));
            }
            else
            {
                next += random.Next(0, 3);
                buffer.Add(next);
                reference.Add(next);
            }

            var key = next - random.Next(0, 10);
            Assert.Equal(reference.Count, buffer.Count);
            Assert.Equal(reference.FindIndex(v => v >= key) is var i and >= 0 ? i : reference.Count, buffer.LowerBound(key, static v => v));
        }

        Assert.Equal(reference, Items(buffer));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomBurstsAcrossChunks_MatchAList(int seed)
    {
        var random = new Random(seed);
        var buffer = new RingBuffer<string>(initialCapacity: 16);
        var reference = new List<string>();
        var next = 0;

        for (var step = 0; step < 400; step++)
        {
            if (random.Next(2) == 0)
            {
                var count = random.Next(0, 3 * RingBuffer<string>.ChunkSize);
                buffer.RemoveFirst(count);
                reference.RemoveRange(0, Math.Min(count, reference.Count));
            }
            else
            {
                for (var n = random.Next(0, 3 * RingBuffer<string>.ChunkSize); n > 0; n--)
                {
                    buffer.Add((next++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    reference.Add((next - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            Assert.Equal(reference.Count, buffer.Count);
            if (reference.Count > 0)
            {
                var i = random.Next(reference.Count);
                Assert.Equal(reference[i], buffer[i]);
            }
        }

        Assert.Equal(reference, Items(buffer));
    }

    [Fact]
    public void RemoveFirst_PastWholeChunks_LetsThemGoButOne()
    {
        var buffer = new RingBuffer<long>();
        for (var i = 0; i < 10 * RingBuffer<long>.ChunkSize; i++)
        {
            buffer.Add(i);
        }

        var grown = buffer.Chunks;
        buffer.RemoveFirst((9 * RingBuffer<long>.ChunkSize) + 5);

        Assert.Equal(10, grown);
        Assert.Equal(2, buffer.Chunks);
        Assert.Equal(Enumerable.Range((9 * RingBuffer<long>.ChunkSize) + 5, RingBuffer<long>.ChunkSize - 5).Select(i => (long)i), Items(buffer));
    }

    [Fact]
    public void AddAndRemoveFirst_SlidingWindow_ReusesItsChunks()
    {
        var buffer = new RingBuffer<long>();
        var window = (2 * RingBuffer<long>.ChunkSize) + 100;
        long next = 0;
        var most = 0;

        for (var step = 0; step < 200; step++)
        {
            for (var i = 0; i < 250; i++)
            {
                buffer.Add(next++);
            }

            buffer.RemoveFirst(Math.Max(0, buffer.Count - window));
            most = Math.Max(most, buffer.Chunks);
        }

        Assert.Equal(4, most);
        Assert.Equal(next - window, buffer[0]);
        Assert.Equal(next - 1, buffer[window - 1]);
    }

    [Fact]
    public void RemoveFirst_References_AreNotHeldAfterwards()
    {
        var buffer = new RingBuffer<object>(initialCapacity: 4);
        var dropped = AddAndDrop(buffer);

        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.False(dropped.IsAlive);
        Assert.Equal(1, buffer.Count);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference AddAndDrop(RingBuffer<object> buffer)
    {
        var item = new object();
        buffer.Add(item);
        buffer.Add(new object());
        buffer.RemoveFirst(1);
        return new WeakReference(item);
    }

    private static List<T> Items<T>(RingBuffer<T> buffer)
    {
        var items = new List<T>();
        for (var i = 0; i < buffer.Count; i++)
        {
            items.Add(buffer[i]);
        }

        return items;
    }
}
