namespace PriceActors.Silo.Postgres;

/// <summary>
/// Splits a .NET time (100-ns ticks) into what timestamptz holds (microseconds) and the 100-ns units
/// below, and joins them back, so stored times come back exactly as they went in.
/// </summary>
internal static class TickTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static DateTime Microseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTime(ticks - (ticks % TicksPerMicrosecond), DateTimeKind.Utc);
    }

    public static short Remainder(DateTimeOffset time) => (short)(time.UtcTicks % TicksPerMicrosecond);

    public static DateTimeOffset Join(DateTime microseconds, short remainder) =>
        new(DateTime.SpecifyKind(microseconds, DateTimeKind.Utc).Ticks + remainder, TimeSpan.Zero);
}
