using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// Usage: PriceActors.Screenshots <url> <file.png> [<javascript condition>] [<seconds to wait at most, 120>]
// Opens the url in Debian's headless Chromium (1440×900), waits until the condition is true in the page, lets the page
// draw for another second and saves a screenshot of the viewport. Exit code 1 when the condition does not hold in time.
const string Chromium = "/usr/bin/chromium";
if (args.Length is < 2 or > 4 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: PriceActors.Screenshots <url> <file.png> [<javascript condition>] [<seconds, default 120>]");
    return 2;
}

if (!File.Exists(Chromium))
{
    Console.Error.WriteLine($"Chromium is not installed at {Chromium}: apt-get install -y chromium");
    return 2;
}

var (url, file) = (args[0], Path.GetFullPath(args[1]));
var condition = args.Length > 2 ? args[2] : "true";
var timeout = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 120);

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = Chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--hide-scrollbars"],
});
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
await page.GotoAsync(url);
var waited = Stopwatch.StartNew();
while (!await page.EvaluateAsync<bool>($"(() => {{ try {{ return Boolean({condition}); }} catch {{ return false; }} }})()"))
{
    if (waited.Elapsed > timeout)
    {
        Console.Error.WriteLine($"{url}: `{condition}` did not hold within {timeout.TotalSeconds:F0} s; no screenshot");
        return 1;
    }

    await Task.Delay(250);
}

await Task.Delay(1000);
await page.ScreenshotAsync(new() { Path = file });
Console.WriteLine($"{file}: {url} after {waited.Elapsed.TotalSeconds:F1} s");
return 0;
