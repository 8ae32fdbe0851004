using System.ComponentModel.DataAnnotations;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class RabbitMqOptionsTests
{
    [Fact]
    public void Validate_Defaults_ValidWithUriAndDocumentedValues()
    {
        var options = new RabbitMqOptions { Uri = new Uri("amqp://localhost/") };

        Assert.Empty(Validate(options));
        Assert.Equal(("priceactors", 200, TimeSpan.FromSeconds(5), 64), (options.Prefix, options.TicksPerMessage, options.Heartbeat, options.UpdateInstrumentsPerMessage));
    }

    [Fact]
    public void Validate_MissingUriBadPrefixOrOutOfRange_Invalid()
    {
        Assert.Contains(nameof(RabbitMqOptions.Uri), Validate(new RabbitMqOptions()));
        Assert.Contains(nameof(RabbitMqOptions.Prefix), Validate(new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), Prefix = "a b" }));
        Assert.Contains(nameof(RabbitMqOptions.Heartbeat), Validate(new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), Heartbeat = TimeSpan.FromMinutes(2) }));
        Assert.Contains(nameof(RabbitMqOptions.TicksPerMessage), Validate(new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), TicksPerMessage = 0 }));
        Assert.Contains(nameof(RabbitMqOptions.UpdateInstrumentsPerMessage), Validate(new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), UpdateInstrumentsPerMessage = 0 }));
        Assert.Contains(nameof(RabbitMqOptions.UpdateInstrumentsPerMessage), Validate(new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), UpdateInstrumentsPerMessage = 4_097 }));
    }

    private static string[] Validate(RabbitMqOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.SelectMany(r => r.MemberNames)];
    }
}
