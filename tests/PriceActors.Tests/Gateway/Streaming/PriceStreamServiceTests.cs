using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using PriceActors.Grpc;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>The gRPC <c>PriceStream</c> end to end on the embedded system, over HTTP/2 without TLS (h2c).</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class PriceStreamServiceTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Subscribe_KnownInstruments_StreamsTheCurrentPriceThenContinuousUpdatesWithExactDecimals()
    {
        using var channel = GrpcChannel.ForAddress(system.GrpcAddress);
        var client = new PriceStream.PriceStreamClient(channel);
        using var deadline = new CancellationTokenSource(Patience);
        using var call = client.Subscribe(new SubscribeRequest { Instruments = { "binance:BTCUSDT", "bybit:ETHUSDT" } }, cancellationToken: deadline.Token);

        var updates = new List<StreamedPrice>();
        while (updates.Count < 20 && await call.ResponseStream.MoveNext(deadline.Token))
        {
            if (call.ResponseStream.Current.Price is { } price)
            {
                Assert.Equal(decimal.Parse(price.Price, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture), price.Price);
                updates.Add(StreamedPrice.From(price));
            }
        }

        Assert.Equal(20, updates.Count);
        Assert.Equal(["binance:BTCUSDT", "bybit:ETHUSDT"], updates.Select(u => u.Key).Distinct().Order());
        StreamedPrice.AssertContinuous(updates);
    }

    [Fact]
    public async Task Subscribe_SinceAPosition_ResumesWithoutGapAndSendsCandles()
    {
        using var channel = GrpcChannel.ForAddress(system.GrpcAddress);
        var client = new PriceStream.PriceStreamClient(channel);
        var latest = await system.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/prices/latest/okx/ETHUSDT");
        var (epoch, sequence) = (latest.GetProperty("epoch").GetInt64(), latest.GetProperty("sequence").GetInt64() - 10);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = client.Subscribe(
            new SubscribeRequest
            {
                Instruments = { "okx:ETHUSDT" },
                Since = { new Position { Instrument = "okx:ETHUSDT", Epoch = epoch, Sequence = sequence } },
                CandleInterval = "1s",
            },
            cancellationToken: deadline.Token);

        var updates = new List<StreamedPrice>();
        var candles = new List<Candle>();
        while (candles.Count < 2 && await call.ResponseStream.MoveNext(deadline.Token))
        {
            var message = call.ResponseStream.Current;
            if (message.Price is { } p)
            {
                updates.Add(StreamedPrice.From(p));
            }
            else if (message.Candle is { } c)
            {
                candles.Add(c);
            }
        }

        Assert.Equal(sequence + 1, updates[0].FirstSequence);
        StreamedPrice.AssertContinuous(updates);
        Assert.All(candles, c => Assert.Equal(("okx", "ETHUSDT", "1s"), (c.Exchange, c.Symbol, c.Interval)));
        Assert.Equal(TimeSpan.FromSeconds(1), candles[1].OpenTime.ToDateTimeOffset() - candles[0].OpenTime.ToDateTimeOffset());
        Assert.All(candles, c => Assert.True(c.Count > 0 && decimal.Parse(c.High, System.Globalization.CultureInfo.InvariantCulture) >= decimal.Parse(c.Low, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("binance:NOPEUSDT", StatusCode.NotFound, "Unknown instrument 'binance:NOPEUSDT'")]
    [InlineData("NOPE", StatusCode.InvalidArgument, "expected 'exchange:SYMBOL'")]
    public async Task Subscribe_BadInstrument_FailsWithTheStatusAndReason(string instrument, StatusCode status, string reason)
    {
        using var channel = GrpcChannel.ForAddress(system.GrpcAddress);
        var client = new PriceStream.PriceStreamClient(channel);
        using var call = client.Subscribe(new SubscribeRequest { Instruments = { instrument } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_BadCandleInterval_FailsWithInvalidArgument()
    {
        using var channel = GrpcChannel.ForAddress(system.GrpcAddress);
        var client = new PriceStream.PriceStreamClient(channel);
        using var call = client.Subscribe(new SubscribeRequest { Instruments = { "okx:BTCUSDT" }, CandleInterval = "7s" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal((StatusCode.InvalidArgument, true), (error.StatusCode, error.Status.Detail.StartsWith("Candle interval '7s' is not valid", StringComparison.Ordinal)));
    }
}
