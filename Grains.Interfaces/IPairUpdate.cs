namespace PriceActors.Grains;

/// <summary>What a pair grain publishes on its update stream: a <see cref="PriceUpdated"/> or a <see cref="MinuteBarClosed"/>.</summary>
public interface IPairUpdate;
