namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Waits for a condition of the broker or of the consumers, with a deadline.</summary>
internal static class Eventually
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
}
