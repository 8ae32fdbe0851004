namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>What the live feeds' protocol tests share: the receive stamp and the documented-shape fixtures.</summary>
internal static class LiveFrames
{
    public static readonly DateTimeOffset Received = new(2025, 12, 7, 14, 0, 1, TimeSpan.Zero);

    /// <summary>The bytes of <c>Fixtures/{exchange}/{name}</c> (each folder's README says where its shapes come from).</summary>
    public static byte[] Fixture(string exchange, string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Grains", "Feeds", "Live", "Fixtures", exchange, name));
}
