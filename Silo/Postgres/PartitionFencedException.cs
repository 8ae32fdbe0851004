namespace PriceActors.Silo.Postgres;

/// <summary>
/// A write was refused because this silo no longer owns (or never claimed) the partition of the
/// instrument: another silo claimed it since, so this one must stop writing and let it go. Nothing
/// of the refused write was stored.
/// </summary>
public sealed class PartitionFencedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="partition">The partition written to.</param>
    /// <param name="token">This silo's owner epoch for it, null when it holds none.</param>
    /// <param name="current">The owner epoch in the database, null when nobody claimed the partition.</param>
    public PartitionFencedException(int partition, long? token, long? current)
        : base($"Partition {partition} is fenced: this silo holds owner epoch {token?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, the database says {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unclaimed"}.")
    {
        Partition = partition;
        Token = token;
        Current = current;
    }

    /// <summary>Creates the exception.</summary>
    public PartitionFencedException()
        : this(-1, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public PartitionFencedException(string message)
        : base(message) => Partition = -1;

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PartitionFencedException(string message, Exception innerException)
        : base(message, innerException) => Partition = -1;

    /// <summary>The partition written to.</summary>
    public int Partition { get; }

    /// <summary>This silo's owner epoch for the partition, null when it holds none.</summary>
    public long? Token { get; }

    /// <summary>The owner epoch in the database, null when nobody claimed the partition.</summary>
    public long? Current { get; }
}
