using System.Globalization;
using PriceActors.Grains;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// A write of a pair was refused by its fence (<see cref="PairFence"/>): another activation claimed the pair since this
/// one did, or this one never claimed it. The caller must stop writing the pair and let it go. Nothing of the refused
/// write was stored.
/// </summary>
public sealed class PairFencedException : Exception
{
    /// <summary>Creates the exception for a write whose claim was superseded.</summary>
    /// <param name="instrument">The pair written to.</param>
    /// <param name="key">The pair's fence key (its row in <c>partition_owners</c>).</param>
    /// <param name="token">The owner epoch the write was made under.</param>
    /// <param name="current">The owner epoch in the database.</param>
    public PairFencedException(InstrumentKey instrument, int key, long token, long? current)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"Pair {instrument} (fence key {key}) is fenced: this silo writes under owner epoch {token}, the database says {current?.ToString(CultureInfo.InvariantCulture) ?? "unclaimed"}; another activation claimed the pair since."))
    {
        Instrument = instrument;
        Key = key;
        Token = token;
        Current = current;
    }

    /// <summary>Creates the exception for a write of a pair this silo never claimed.</summary>
    /// <param name="instrument">The pair written to.</param>
    public PairFencedException(InstrumentKey instrument)
        : base($"Pair {instrument} is fenced: this silo has not claimed it; a store writes a pair only after ClaimAsync.") =>
        Instrument = instrument;

    /// <summary>Creates the exception.</summary>
    public PairFencedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public PairFencedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PairFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The pair written to, null when not known.</summary>
    public InstrumentKey? Instrument { get; }

    /// <summary>The pair's fence key, null when this silo never claimed the pair.</summary>
    public int? Key { get; }

    /// <summary>The owner epoch the write was made under, null when this silo never claimed the pair.</summary>
    public long? Token { get; }

    /// <summary>The pair's owner epoch in the database, null when it is not known or nobody claimed the pair.</summary>
    public long? Current { get; }
}
