using Spectre.Console;

namespace PriceActors.Client;

/// <summary>
/// Runs the feed until Ctrl+C (or <see cref="ClientSettings.Count"/> updates): after a lost connection it waits (1 s,
/// doubling to 10 s) and subscribes again from the positions it reached, so the gateway sends exactly what was missed.
/// </summary>
public sealed class ClientSession(ClientSettings settings, IPriceFeed feed, TextWriter output)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Runs; answers the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var board = new PriceBoard(settings.Pairs);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var status = "connecting";
        void Received(StreamEvent message)
        {
            if (settings.Count > 0 && board.Updates >= settings.Count)
            {
                // Asked to stop: what arrives while the connection closes is not taken.
                return;
            }

            var line = board.Apply(message);
            if (settings.Plain)
            {
                lock (output)
                {
                    output.WriteLine(line);
                }
            }

            if (settings.Count > 0 && board.Updates >= settings.Count)
            {
                done.Cancel();
            }
        }

        async Task LoopAsync(Action refresh)
        {
            var backoff = TimeSpan.FromSeconds(1);
            while (!done.IsCancellationRequested)
            {
                var since = board.Positions;
                status = since.Count == 0 ? $"connecting to {Target}" : $"reconnecting to {Target}, resuming {since.Count} instruments";
                Say(status);
                refresh();
                try
                {
                    var session = feed.RunAsync(since, Received, done.Token);
                    status = $"connected to {Target} via {settings.Transport}";
                    await session;
                }
                catch (OperationCanceledException) when (done.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    if (board.Updates > 0)
                    {
                        backoff = TimeSpan.FromSeconds(1);
                    }

                    status = $"disconnected ({error.GetBaseException().Message}); retrying in {backoff.TotalSeconds:0} s";
                    Say(status);
                    refresh();
                    try
                    {
                        await Task.Delay(backoff, done.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                }
            }
        }

        if (settings.Plain)
        {
            await LoopAsync(() => { });
        }
        else
        {
            await AnsiConsole.Live(board.Render(status)).StartAsync(async live =>
            {
                var loop = LoopAsync(() => live.UpdateTarget(board.Render(status)));
                while (!loop.IsCompleted)
                {
                    live.UpdateTarget(board.Render(status));
                    await Task.WhenAny(loop, Task.Delay(250, CancellationToken.None));
                }

                await loop;
            });
        }

        Say($"{board.Updates} updates, {board.Gaps} gaps");
        return board.Gaps == 0 ? 0 : 3;
    }

    private string Target => settings.Transport == "grpc" ? settings.GrpcUrl.ToString() : settings.Url.ToString();

    private void Say(string text)
    {
        if (settings.Plain)
        {
            lock (output)
            {
                output.WriteLine($"# {text}");
            }
        }
    }
}
