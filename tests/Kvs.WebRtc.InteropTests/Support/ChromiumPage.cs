using System.Net;
using System.Net.Sockets;
using System.Text;
using Kvs.WebRtc.Testing;
using Microsoft.Playwright;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A headless Debian Chromium (<c>/usr/bin/chromium</c>) driven through Playwright, showing a blank page served by a
/// loopback HTTP server the harness owns. Camera and microphone permission is granted (fake devices), because
/// Chromium gathers no ICE candidates without it; host candidates are then plain 127.0.0.1 (no mDNS names).
/// Skips outside CI and fails under <c>CI=true</c> when Chromium is absent (see <see cref="ExternalTool"/>).
/// </summary>
public sealed class ChromiumPage : IAsyncDisposable
{
    /// <summary>Where Debian installs Chromium.</summary>
    public const string DefaultExecutable = "/usr/bin/chromium";

    private static readonly string[] s_flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    ];

    private const string BlankPage =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>kvs-webrtc interop</title></head><body></body></html>";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;
    private readonly LoopbackPageServer _server;

    private ChromiumPage(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page, LoopbackPageServer server)
    {
        _playwright = playwright;
        _browser = browser;
        _context = context;
        Page = page;
        _server = server;
    }

    /// <summary>The Playwright page (blank, at <see cref="Origin"/>).</summary>
    public IPage Page { get; }

    /// <summary>The page's origin, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Origin => _server.Origin;

    /// <summary>Launches Chromium and opens the blank page. Every step is bounded by <paramref name="cancellationToken"/> and Playwright timeouts.</summary>
    public static async Task<ChromiumPage> LaunchAsync(CancellationToken cancellationToken = default)
    {
        var executable = ExternalTool.Require("chromium", DefaultExecutable);
        cancellationToken.ThrowIfCancellationRequested();

        var server = LoopbackPageServer.Start(BlankPage);
        IPlaywright? playwright = null;
        try
        {
            // Never let Playwright try to download browsers: the executable path is given explicitly.
            Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = s_flags, // Playwright gives the browser a fresh temporary profile itself.
                Timeout = 60_000,
            }).WaitAsync(cancellationToken).ConfigureAwait(false);
            var context = await browser.NewContextAsync().ConfigureAwait(false);
            await context.GrantPermissionsAsync(["camera", "microphone"], new BrowserContextGrantPermissionsOptions { Origin = server.Origin.GetLeftPart(UriPartial.Authority) }).ConfigureAwait(false);
            var page = await context.NewPageAsync().ConfigureAwait(false);
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(server.Origin.ToString()).WaitAsync(cancellationToken).ConfigureAwait(false);

            // Touch the (fake) devices once so that the page counts as having media permission for ICE gathering.
            await page.EvaluateAsync(
                "async () => { const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true }); s.getTracks().forEach(t => t.stop()); }")
                .WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return new ChromiumPage(playwright, browser, context, page, server);
        }
        catch
        {
            playwright?.Dispose();
            server.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates a JavaScript expression or function in the page (promises are awaited).</summary>
    public Task<T> EvaluateAsync<T>(string expression, object? arg = null) => Page.EvaluateAsync<T>(expression, arg);

    /// <summary>Evaluates JavaScript in the page, ignoring the result.</summary>
    public Task EvaluateAsync(string expression, object? arg = null) => Page.EvaluateAsync(expression, arg);

    /// <summary>
    /// Runs a committed script file (e.g. a page helper under <c>Support/</c>) in the page, as a <c>&lt;script&gt;</c>
    /// tag; bounded by <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public async Task AddScriptFileAsync(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("Page script not found.", path);
        }

        await Page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = path })
            .WaitAsync(timeout ?? TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            // Best effort: the browser process is gone or hung; disposing Playwright kills its driver.
        }
        finally
        {
            _playwright.Dispose();
            _server.Dispose();
        }
    }

    /// <summary>Serves one static HTML page on 127.0.0.1 at a free port (HTTP/1.1, one response per connection).</summary>
    private sealed class LoopbackPageServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly byte[] _response;
        private readonly CancellationTokenSource _stop = new();

        private LoopbackPageServer(TcpListener listener, byte[] response)
        {
            _listener = listener;
            _response = response;
            Origin = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        }

        public Uri Origin { get; }

        public static LoopbackPageServer Start(string html)
        {
            var body = Encoding.UTF8.GetBytes(html);
            var head = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var server = new LoopbackPageServer(listener, [.. head, .. body]);
            _ = server.AcceptLoopAsync();
            return server;
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var total = 0;
                    // Read the request head (bounded), whatever path it asks for: every path gets the page.
                    while (total < buffer.Length)
                    {
                        var read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }

                        total += read;
                        if (buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) >= 0)
                        {
                            break;
                        }
                    }

                    await stream.WriteAsync(_response, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                {
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
