namespace PriceActors.Tests.Runtime.Support;

/// <summary>
/// Every wait in these tests has a deadline in real time, so a broken runtime fails a test instead
/// of hanging the run. The deadline is far above what a passing test needs.
/// </summary>
internal static class TaskDeadlineExtensions
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task WithDeadline(this Task task) => task.WaitAsync(Deadline);

    public static Task<T> WithDeadline<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task WithDeadline(this ValueTask task) => task.AsTask().WaitAsync(Deadline);
}
