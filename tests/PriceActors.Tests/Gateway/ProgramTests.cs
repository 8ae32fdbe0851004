using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway;

/// <summary>The gateway as a user runs it: its own process, JSON logs on stdout, SIGTERM to stop.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task Main_StartedAndSentSigterm_LogsModeAndUrlAsJsonThenStopsFeedsThenSilo()
    {
        var lines = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "PriceActors.Gateway.dll"), "--urls", "http://127.0.0.1:0", $"--Orleans:SiloPort={FreePort.Next()}" },
                RedirectStandardOutput = true,
                WorkingDirectory = AppContext.BaseDirectory,
            },
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lines.Enqueue(e.Data);
            if (e.Data.Contains("PriceActors started", StringComparison.Ordinal))
            {
                started.TrySetResult(JsonDocument.Parse(e.Data).RootElement.Clone());
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        try
        {
            var report = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var state = report.GetProperty("State");
            Assert.Equal("Embedded", state.GetProperty("Mode").GetString());
            Assert.Equal("InMemoryStore", state.GetProperty("Store").GetString());
            using var http = new HttpClient { BaseAddress = new Uri(state.GetProperty("Urls").GetString()!) };
            using var health = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, process.ExitCode);
            Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
            Assert.Contains(lines, l => l.Contains("Feed binance stopped", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Orleans Silo stopped", StringComparison.Ordinal));
            Assert.True(
                lines.ToList().FindIndex(l => l.Contains("Feed binance stopped", StringComparison.Ordinal)) <
                lines.ToList().FindIndex(l => l.Contains("Orleans Silo stopped", StringComparison.Ordinal)),
                "The feeds stop before the silo.");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
