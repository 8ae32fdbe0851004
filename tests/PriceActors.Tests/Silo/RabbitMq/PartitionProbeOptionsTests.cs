using System.ComponentModel.DataAnnotations;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class PartitionProbeOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        var options = new PartitionProbeOptions();

        Assert.Empty(Validate(options));
        Assert.Equal((true, TimeSpan.FromSeconds(2)), (options.Enabled, options.Interval));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(60_001)]
    public void Validate_IntervalOutOfRange_IsInvalid(int milliseconds)
    {
        var error = Assert.Single(Validate(new PartitionProbeOptions { Interval = TimeSpan.FromMilliseconds(milliseconds) }));

        Assert.Contains(nameof(PartitionProbeOptions.Interval), error.MemberNames);
    }

    private static List<ValidationResult> Validate(PartitionProbeOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
