namespace PriceActors.Grains.Feeds.Live;

/// <summary>What one frame of an exchange's market-data stream was.</summary>
public enum FeedFrameKind
{
    /// <summary>Trades; they were added to the caller's list.</summary>
    Trades,

    /// <summary>Protocol traffic with no trade: a subscription's acknowledgement, a heartbeat, a pong.</summary>
    Control,

    /// <summary>The exchange announced it closes the connection; reconnect.</summary>
    Shutdown,

    /// <summary>The exchange answered a request with an error (<see cref="FeedFrame.Problem"/> says which).</summary>
    Error,

    /// <summary>Not a frame of the protocol (not JSON, truncated, an unknown event, a bad field): counted, logged, skipped.</summary>
    Malformed,
}

/// <summary>The outcome of parsing one frame: its kind, how many trades it held, and for errors and malformed frames why.</summary>
/// <param name="Kind">What the frame was.</param>
/// <param name="Trades">Trades added to the caller's list.</param>
/// <param name="Problem">For <see cref="FeedFrameKind.Error"/> and <see cref="FeedFrameKind.Malformed"/>: what is wrong, for the log.</param>
public readonly record struct FeedFrame(FeedFrameKind Kind, int Trades = 0, string? Problem = null)
{
    /// <summary>A frame that is not the protocol's, with the reason.</summary>
    public static FeedFrame Malformed(string problem) => new(FeedFrameKind.Malformed, 0, problem);

    /// <summary>
    /// Opens an exchange's frame that must be one JSON object: false with the outcome (an empty frame, not JSON, not an
    /// object: <see cref="FeedFrameKind.Malformed"/>) when it is not; the caller disposes the document.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Text.Json.JsonDocument? document, out FeedFrame outcome)
    {
        if (frame.Trim(" \t\r\n"u8).IsEmpty)
        {
            document = null;
            outcome = Malformed("empty frame");
            return false;
        }

        return TryParseObject(frame, out document, out outcome);
    }

    /// <summary>
    /// A reply to a request (subscribe, ping): <see cref="FeedFrameKind.Error"/> with the text of <paramref name="message"/>
    /// when its <c>success</c> is false, else <see cref="FeedFrameKind.Control"/>.
    /// </summary>
    public static FeedFrame Reply(System.Text.Json.JsonElement root, string message) =>
        root.TryGetProperty("success", out var success) && success.ValueKind == System.Text.Json.JsonValueKind.False
            ? new FeedFrame(FeedFrameKind.Error, 0, root.TryGetProperty(message, out var text) ? text.ToString() : "refused")
            : new FeedFrame(FeedFrameKind.Control);

    /// <summary>
    /// Parses a frame that must be one JSON object. False, with the <see cref="FeedFrameKind.Malformed"/> outcome saying
    /// why, when it is not JSON or not an object; the caller disposes the document.
    /// </summary>
    public static bool TryParseObject(ReadOnlySpan<byte> frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Text.Json.JsonDocument? document, out FeedFrame malformed)
    {
        malformed = default;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(frame.ToArray());
        }
        catch (System.Text.Json.JsonException error)
        {
            document = null;
            malformed = Malformed($"not JSON ({error.Message}): {Excerpt(frame)}");
            return false;
        }

        if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            malformed = Malformed($"not a JSON object: {Excerpt(frame)}");
            return false;
        }

        return true;
    }

    /// <summary>The start of a frame as text, for a log line: at most 200 bytes.</summary>
    public static string Excerpt(ReadOnlySpan<byte> frame)
    {
        var text = System.Text.Encoding.UTF8.GetString(frame[..Math.Min(frame.Length, 200)]);
        return frame.Length > 200 ? text + "…" : text;
    }
}
