namespace PriceActors.Tests.Runtime.TestActors;

/// <summary>Counts turns of one actor instance that overlapped another turn of the same instance.</summary>
internal sealed class TurnDetector
{
    private int inside;
    private int overlaps;

    public int Overlaps => Volatile.Read(ref overlaps);

    public Scope Enter()
    {
        if (Interlocked.Exchange(ref inside, 1) != 0)
        {
            Interlocked.Increment(ref overlaps);
        }

        return new Scope(this);
    }

    public readonly struct Scope(TurnDetector owner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref owner.inside, 0);
    }
}
