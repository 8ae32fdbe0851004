namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>A decoded reply: the actor's answer, or why there is none.</summary>
/// <param name="Value">The answer (may be null, e.g. no latest price yet).</param>
/// <param name="Error">Why the owner could not answer; null on success.</param>
/// <param name="Lost">No reply can come because the channel the request went out on was lost: it may be sent again.</param>
internal readonly record struct RequestReply(object? Value, string? Error, bool Lost = false);
