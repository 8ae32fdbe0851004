namespace PriceActors.Bench;

/// <summary>The subscribers of one run: connected a hundred at a time, each on instrument <c>n % instruments</c>.</summary>
internal sealed class SubscriberLoad : IAsyncDisposable
{
    private readonly List<SubscriberClient> clients = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
    private volatile bool measuring;

    public bool Measuring => measuring;

    public IReadOnlyList<SubscriberClient> Clients => clients;

    public int Failed { get; private set; }

    public static async Task<SubscriberLoad> ConnectAsync(string transport, Uri gateway, IReadOnlyList<string> instruments, int subscribers, CancellationToken cancellationToken)
    {
        var load = new SubscriberLoad();
        using var gate = new SemaphoreSlim(100);
        var connecting = Enumerable.Range(0, subscribers).Select(async n =>
        {
            await gate.WaitAsync(cancellationToken);
            var client = new SubscriberClient(load, n % instruments.Count);
            try
            {
                await client.ConnectAsync(transport, gateway, instruments[n % instruments.Count], load.http, cancellationToken);
                lock (load.clients)
                {
                    load.clients.Add(client);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lock (load.clients)
                {
                    load.Failed++;
                }

                await client.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(connecting);
        return load;
    }

    public void Start() => measuring = true;

    public void Stop() => measuring = false;

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        http.Dispose();
    }
}
