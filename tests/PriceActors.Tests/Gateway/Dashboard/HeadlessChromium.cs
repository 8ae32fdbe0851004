using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol. Each instance has its own fresh
/// profile, deleted on dispose; every wait has a deadline and a browser that does not quit is killed.
/// </summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly Process process;
    private readonly DirectoryInfo profile;
    private readonly StringBuilder output = new();
    private readonly ClientWebSocket socket = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly CancellationTokenSource closing = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> pending = new();
    private Task receiving = Task.CompletedTask;
    private string? session;
    private int lastId;

    private HeadlessChromium(Process process, DirectoryInfo profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>Starts Chromium on a blank page and attaches to that page.</summary>
    public static async Task<HeadlessChromium> LaunchAsync(TimeSpan timeout)
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"Chromium is not installed at {ExecutablePath}; the dashboard test drives a real browser. Run scripts/test.sh, which installs it (apt-get install -y chromium).");
        }

        var profile = Directory.CreateTempSubdirectory("priceactors-chromium-");
        var start = new ProcessStartInfo(ExecutablePath) { RedirectStandardError = true, RedirectStandardOutput = true };
        string[] flags =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", "--window-size=1280,800",
            "--remote-debugging-port=0", "about:blank",
        ];
        foreach (var flag in flags)
        {
            start.ArgumentList.Add(flag);
        }

        var browser = new HeadlessChromium(new Process { StartInfo = start, EnableRaisingEvents = true }, profile);
        try
        {
            await browser.ConnectAsync(timeout);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a URL in the page.</summary>
    public Task NavigateAsync(Uri url) => SendAsync("Page.navigate", new { url = url.ToString() }, onPage: true);

    /// <summary>Evaluates a JavaScript expression that yields a string, in the page.</summary>
    public async Task<string> EvaluateAsync(string expression)
    {
        var reply = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, onPage: true);
        return reply.TryGetProperty("exceptionDetails", out var error)
            ? throw new InvalidOperationException($"The page threw: {error}")
            : reply.GetProperty("result").GetProperty("value").GetString() ?? "";
    }

    /// <summary>Evaluates <paramref name="expression"/> every 200 ms until <paramref name="done"/> holds or the time is up; returns the last value either way.</summary>
    public async Task<string> WaitForAsync(string expression, Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await EvaluateAsync(expression);
            if (done(value) || deadline.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A clean quit lets Chromium stop its helper processes itself; otherwise the whole tree is killed.
        var quitting = false;
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await SendAsync("Browser.close", new { }, onPage: false);
                quitting = true;
            }
            catch (Exception e) when (e is IOException or TimeoutException or WebSocketException)
            {
                quitting = e is IOException; // It closed the connection before answering: it is quitting.
            }
        }

        await closing.CancelAsync();
        await StopProcessAsync(quitting ? TimeSpan.FromSeconds(10) : TimeSpan.Zero);
        await receiving;
        socket.Dispose();
        closing.Dispose();
        sendLock.Dispose();
        process.Dispose();
        await DeleteProfileAsync();
    }

    private async Task ConnectAsync(TimeSpan timeout)
    {
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is { } line && DevToolsListening().Match(line) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.ErrorDataReceived += OnLine;
        process.OutputDataReceived += OnLine;
        process.Exited += (_, _) => endpoint.TrySetException(new InvalidOperationException($"Chromium exited with code {process.ExitCode}:\n{Output()}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var browserEndpoint = await endpoint.Task.WaitAsync(timeout);
        using (var connecting = new CancellationTokenSource(timeout))
        {
            await socket.ConnectAsync(browserEndpoint, connecting.Token);
        }

        receiving = ReceiveAsync();
        var target = await SendAsync("Target.createTarget", new { url = "about:blank" }, onPage: false);
        var attached = await SendAsync("Target.attachToTarget", new { targetId = target.GetProperty("targetId").GetString(), flatten = true }, onPage: false);
        session = attached.GetProperty("sessionId").GetString();
    }

    private async Task<JsonElement> SendAsync(string method, object parameters, bool onPage)
    {
        var id = Interlocked.Increment(ref lastId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        var message = onPage
            ? JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters, sessionId = session })
            : JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, closing.Token);
        }
        finally
        {
            sendLock.Release();
        }

        try
        {
            var answer = await reply.Task.WaitAsync(CommandTimeout);
            return answer.TryGetProperty("error", out var error)
                ? throw new InvalidOperationException($"{method} failed: {error}")
                : answer.GetProperty("result");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {CommandTimeout.TotalSeconds} s. Its output:\n{Output()}");
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var frame = await socket.ReceiveAsync(buffer.AsMemory(), closing.Token);
                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, frame.Count);
                if (!frame.EndOfMessage)
                {
                    continue;
                }

                using var json = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                if (json.RootElement.TryGetProperty("id", out var id) && pending.TryRemove(id.GetInt32(), out var reply))
                {
                    reply.TrySetResult(json.RootElement.Clone());
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing, or the browser went away; the waiters below learn of it.
        }
        finally
        {
            foreach (var reply in pending.Values)
            {
                reply.TrySetException(new IOException("The DevTools connection closed."));
            }
        }
    }

    private async Task StopProcessAsync(TimeSpan grace)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }
        }
        catch (InvalidOperationException)
        {
            return; // Never started.
        }

        using var patience = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private async Task DeleteProfileAsync()
    {
        // The browser's helper processes may still be writing for a moment after it exits.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                profile.Refresh();
                if (profile.Exists)
                {
                    profile.Delete(recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private string Output()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsListening();
}
