using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using PriceActors.Silo.Cluster;

namespace PriceActors.Tests.Silo.Cluster;

public sealed class PartitionBalancerOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        var options = new PartitionBalancerOptions();

        Assert.Empty(Validate(options));
        Assert.Equal((true, TimeSpan.FromSeconds(1), 2), (options.Enabled, options.Interval, options.MaxReleasesPerRound));
        Assert.Equal((TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)), (options.ResubscribeDelay, options.LiveWithin, options.CeilingReleaseCooldown));
    }

    [Fact]
    public void Validate_CooldownShorterThanTheInterval_IsInvalid()
    {
        var options = new PartitionBalancerOptions { Interval = TimeSpan.FromSeconds(2), CeilingReleaseCooldown = TimeSpan.FromSeconds(1) };

        var error = Assert.Single(Validate(options));
        Assert.Contains(nameof(PartitionBalancerOptions.CeilingReleaseCooldown), error.MemberNames);
    }

    [Theory]
    [InlineData(10, 2, 200)]
    [InlineData(1000, 0, 200)]
    [InlineData(1000, 2, 20_000)]
    public void Validate_OutOfRange_IsInvalid(int intervalMs, int maxReleases, int resubscribeMs)
    {
        var options = new PartitionBalancerOptions
        {
            Interval = TimeSpan.FromMilliseconds(intervalMs),
            MaxReleasesPerRound = maxReleases,
            ResubscribeDelay = TimeSpan.FromMilliseconds(resubscribeMs),
            CeilingReleaseCooldown = TimeSpan.FromMinutes(1),
        };

        Assert.NotEmpty(Validate(options));
    }

    [Fact]
    public void SiloAppSettings_BalancingSection_StatesTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(SiloAppSettings(), optional: false).Build();

        var bound = configuration.GetSection(PartitionBalancerOptions.Section).Get<PartitionBalancerOptions>();

        Assert.Equal(JsonSerializer.Serialize(new PartitionBalancerOptions()), JsonSerializer.Serialize(bound));
    }

    private static string SiloAppSettings([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "..", "..", "Silo", "appsettings.json"));

    private static List<ValidationResult> Validate(PartitionBalancerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
