namespace PriceActors.Tests.Support;

/// <summary>Waits, with a deadline, for a condition of a real server, cluster or process.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Not within {deadline}: {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan deadline, string what) =>
        HoldsAsync(() => Task.FromResult(condition()), deadline, what);

    /// <summary>Reads every 100 ms until <paramref name="done"/>; fails with the last value read after <paramref name="within"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<long>> read, Func<long, bool> done, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        long last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited in vain for {what}; last value {last}.");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Reads every 100 ms until <paramref name="done"/> holds or <paramref name="within"/> has passed, and returns the last
    /// value read for the caller to assert on. A read that throws (a grain whose silo just went away) is tried again.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value) || DateTime.UtcNow > deadline)
                {
                    return value;
                }
            }
            catch (Exception) when (DateTime.UtcNow <= deadline)
            {
                // Asked again.
            }

            await Task.Delay(100);
        }
    }
}
