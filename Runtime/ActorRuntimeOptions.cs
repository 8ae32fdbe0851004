using System.ComponentModel.DataAnnotations;

namespace PriceActors.Runtime;

/// <summary>Settings of the actor runtime, bound from the <c>Actors</c> section.</summary>
public sealed class ActorRuntimeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Actors";

    /// <summary>Messages an actor's mailbox holds before senders wait (back-pressure). Default 1024; 1 to 1,048,576.</summary>
    [Range(1, 1_048_576)]
    public int MailboxCapacity { get; set; } = 1024;

    /// <summary>An actor that received no message for this long is deactivated. Default 15 minutes; 1 s to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the idle collector looks for idle actors. Default 1 minute; 100 ms to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long <c>AskAsync</c> waits for a reply. Default 5 s; 10 ms to 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long shutdown waits for actors to finish their turn and deactivate. Default 10 s; 0 to 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
