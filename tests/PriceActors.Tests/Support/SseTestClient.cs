using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PriceActors.Tests.Support;

/// <summary>One server-sent event: its name, id (null when it has none) and data.</summary>
public sealed record SseEvent(string Event, string? Id, JsonElement Data);

/// <summary>Reads a <c>text/event-stream</c> response into <see cref="Events"/>.</summary>
public sealed class SseTestClient : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly Channel<SseEvent> events = Channel.CreateUnbounded<SseEvent>();
    private readonly CancellationTokenSource stop = new();
    private readonly Task reader;

    private SseTestClient(HttpResponseMessage response)
    {
        this.response = response;
        reader = Task.Run(ReadAsync);
    }

    public ChannelReader<SseEvent> Events => events.Reader;

    public HttpResponseMessage Response => response;

    /// <summary>Opens the stream; <paramref name="lastEventId"/> goes in the <c>Last-Event-ID</c> header.</summary>
    public static async Task<SseTestClient> OpenAsync(HttpClient http, string pathAndQuery, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseTestClient(response);
    }

    /// <summary>The next event named <paramref name="name"/>, skipping others.</summary>
    public async Task<SseEvent> NextAsync(string name, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = await events.Reader.ReadAsync(deadline.Token);
            if (next.Event == name)
            {
                return next;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        response.Dispose();
        try
        {
            await reader;
        }
        catch (Exception)
        {
            // Ended.
        }

        stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            using var body = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token), Encoding.UTF8);
            string? name = null, id = null;
            var data = new StringBuilder();
            while (await body.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        events.Writer.TryWrite(new SseEvent(name ?? "message", id, JsonDocument.Parse(data.ToString()).RootElement.Clone()));
                    }

                    (name, id) = (null, null);
                    data.Clear();
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }
}
