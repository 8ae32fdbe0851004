using System.Diagnostics;
using Microsoft.Playwright;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>
/// Debian's Chromium (<see cref="ExecutablePath"/>, installed by the test command), headless, driven by Playwright for
/// .NET: one browser with one page per instance, a fresh context each time. Playwright never downloads a browser here.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        this.playwright = playwright;
        this.browser = browser;
        Page = page;
    }

    /// <summary>The page, for what the helpers below do not cover (clicks, screenshots).</summary>
    public IPage Page { get; }

    /// <summary>Starts Chromium with a 1280×800 page.</summary>
    public static async Task<HeadlessChromium> LaunchAsync(TimeSpan timeout)
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"Chromium is not installed at {ExecutablePath}; the page tests drive a real browser. Run scripts/test.sh, which installs it (apt-get install -y chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = (float)timeout.TotalMilliseconds,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
            page.SetDefaultTimeout((float)timeout.TotalMilliseconds);
            return new HeadlessChromium(playwright, browser, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens a URL in the page.</summary>
    public Task NavigateAsync(Uri url) => Page.GotoAsync(url.ToString());

    /// <summary>Evaluates a JavaScript expression that yields a string, in the page.</summary>
    public async Task<string> EvaluateAsync(string expression) => await Page.EvaluateAsync<string>(expression) ?? "";

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
        await browser.CloseAsync();
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
