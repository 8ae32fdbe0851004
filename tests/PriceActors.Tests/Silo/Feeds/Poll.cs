using System.Diagnostics;

namespace PriceActors.Tests.Silo.Feeds;

/// <summary>Waits for a condition that becomes true "eventually", checking it every few milliseconds until a deadline.</summary>
internal static class Poll
{
    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what) =>
        UntilAsync(() => Task.FromResult(condition()), deadline, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > deadline)
            {
                Assert.Fail($"Not within {deadline.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(10);
        }
    }
}
