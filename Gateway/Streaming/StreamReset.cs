namespace PriceActors.Gateway.Streaming;

/// <summary>
/// Sent instead of the missed updates when a resuming client's gap cannot be filled; the instrument's current price
/// follows as a fresh snapshot.
/// </summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Epoch">The instrument's current epoch (0 before its first trade).</param>
/// <param name="Reason"><c>epochChanged</c>, <c>tooOld</c> (older than the window or the replay limit) or <c>ahead</c>.</param>
/// <param name="Message">The reason in words.</param>
public sealed record StreamReset(string Exchange, string Symbol, long Epoch, string Reason, string Message);
