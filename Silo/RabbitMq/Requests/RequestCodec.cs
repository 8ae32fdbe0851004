using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>
/// Encoding of actor requests and replies on the bus: the message's <c>type</c> property names the
/// contract from a small explicit registry, the body is its JSON (System.Text.Json; decimals keep their
/// exact digits and scale). A reply of type <see cref="ErrorType"/> carries the reason as UTF-8 text.
/// </summary>
internal static class RequestCodec
{
    /// <summary>The type of an error reply.</summary>
    public const string ErrorType = "error";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly RequestContract[] Contracts =
    [
        RequestContract.Of<GetLatestPrice, PriceUpdated?>(),
        RequestContract.Of<GetWindowStats, WindowStats>(),
        RequestContract.Of<GetMinuteBars, MinuteBarHistory>(),
    ];

    private static readonly FrozenDictionary<string, RequestContract> ByName = Contracts.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
    private static readonly FrozenDictionary<Type, RequestContract> ByType = Contracts.ToFrozenDictionary(c => c.RequestType);
    private static readonly FrozenDictionary<string, Type> Replies = Contracts.DistinctBy(c => c.ReplyName).ToFrozenDictionary(c => c.ReplyName, c => c.ReplyType, StringComparer.Ordinal);

    /// <summary>Encodes a request.</summary>
    /// <exception cref="NotSupportedException">The request's type is not in the registry.</exception>
    public static (string Type, byte[] Body) EncodeRequest(object request)
    {
        if (!ByType.TryGetValue(request.GetType(), out var contract))
        {
            throw new NotSupportedException($"{request.GetType().Name} is not a message the bus carries ({string.Join(", ", ByName.Keys)}).");
        }

        return (contract.Name, JsonSerializer.SerializeToUtf8Bytes(request, contract.RequestType, Json));
    }

    /// <summary>Decodes a request.</summary>
    /// <exception cref="FormatException">Unknown type or a body that is not its JSON; the text says which.</exception>
    public static (RequestContract Contract, object Request) DecodeRequest(string? type, ReadOnlySpan<byte> body)
    {
        if (type is null || !ByName.TryGetValue(type, out var contract))
        {
            throw new FormatException($"unknown request type '{type}'");
        }

        var request = Deserialize(body, contract.RequestType, type) ?? throw new FormatException($"the {type} request is empty");
        return (contract, request);
    }

    /// <summary>Encodes a successful reply to a request of <paramref name="contract"/>.</summary>
    public static (string Type, byte[] Body) EncodeReply(RequestContract contract, object? reply) =>
        (contract.ReplyName, JsonSerializer.SerializeToUtf8Bytes(reply, contract.ReplyType, Json));

    /// <summary>Encodes an error reply.</summary>
    public static (string Type, byte[] Body) EncodeError(string reason) => (ErrorType, Encoding.UTF8.GetBytes(reason));

    /// <summary>Decodes a reply.</summary>
    /// <exception cref="FormatException">Unknown type or a body that is not its JSON.</exception>
    public static RequestReply DecodeReply(string? type, ReadOnlySpan<byte> body)
    {
        if (type == ErrorType)
        {
            return new RequestReply(null, Encoding.UTF8.GetString(body));
        }

        if (type is null || !Replies.TryGetValue(type, out var replyType))
        {
            throw new FormatException($"unknown reply type '{type}'");
        }

        return new RequestReply(Deserialize(body, replyType, type), null);
    }

    private static object? Deserialize(ReadOnlySpan<byte> body, Type target, string type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, target, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the {type} body is not valid: {e.Message}", e);
        }
    }
}
