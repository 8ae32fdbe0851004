using System.ComponentModel.DataAnnotations;
using PriceActors.Silo.Feeds;

namespace PriceActors.Tests.Silo.Feeds;

public sealed class FeedElectionOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValidWithTenSecondLeaseAndThreeSecondRenewal()
    {
        var options = new FeedElectionOptions();

        Assert.Empty(Validate(options));
        Assert.Equal(TimeSpan.FromSeconds(10), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(7), options.StopAfterRenewalSent);
    }

    [Theory]
    [InlineData(10_000, 5_000)]
    [InlineData(10_000, 6_000)]
    [InlineData(1_000, 1_000)]
    public void Validate_RenewIntervalNotBelowHalfTheLease_IsInvalid(int leaseMs, int renewMs)
    {
        var options = new FeedElectionOptions
        {
            LeaseDuration = TimeSpan.FromMilliseconds(leaseMs),
            RenewInterval = TimeSpan.FromMilliseconds(renewMs),
        };

        var error = Assert.Single(Validate(options));
        Assert.Contains(nameof(FeedElectionOptions.RenewInterval), error.MemberNames);
    }

    [Theory]
    [InlineData(100, 20)]
    [InlineData(600_000, 3_000)]
    [InlineData(10_000, 10)]
    public void Validate_OutOfRange_IsInvalid(int leaseMs, int renewMs)
    {
        var options = new FeedElectionOptions
        {
            LeaseDuration = TimeSpan.FromMilliseconds(leaseMs),
            RenewInterval = TimeSpan.FromMilliseconds(renewMs),
        };

        Assert.NotEmpty(Validate(options));
    }

    private static List<ValidationResult> Validate(FeedElectionOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
