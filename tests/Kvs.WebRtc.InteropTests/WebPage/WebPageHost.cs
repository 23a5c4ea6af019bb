using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Emulator.Tool.Web;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace Kvs.WebRtc.InteropTests.WebPage;

/// <summary>
/// What <c>kvs-emulator --web</c> runs, in-process: an emulator, a <see cref="WebTarget"/> on it and the
/// <see cref="WebViewerServer"/> serving the browser page with the official KVS JS SDK bundle from <c>node/node_modules</c>.
/// </summary>
internal sealed class WebPageHost : IAsyncDisposable
{
    private WebPageHost(KvsEmulator emulator, WebTarget target, WebViewerServer server)
    {
        Emulator = emulator;
        Target = target;
        Server = server;
    }

    /// <summary>Where <c>npm ci</c> in <c>tests/Kvs.WebRtc.InteropTests/node</c> puts the SDK's browser bundle.</summary>
    public static string JsSdkPath => Path.Combine(NodeScript.ScriptDirectory, "node_modules", "amazon-kinesis-video-streams-webrtc", "dist", JsSdkBundle.FileName);

    /// <summary>Peer configuration gathering host candidates on 127.0.0.1 only.</summary>
    public static RTCConfiguration Loopback => new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

    public KvsEmulator Emulator { get; }

    public WebTarget Target { get; }

    public WebViewerServer Server { get; }

    /// <summary>The page URL, e.g. <c>http://127.0.0.1:41234/web/</c>.</summary>
    public Uri PageUrl => Server.PageUrl;

    /// <summary>Starts the emulator and the page server; <paramref name="withJsSdk"/> requires the SDK bundle (fails under CI, skips elsewhere).</summary>
    public static async Task<WebPageHost> StartAsync(bool withJsSdk, CancellationToken cancellationToken)
    {
        string? sdk = null;
        if (withJsSdk)
        {
            ExternalTool.RequireCondition(File.Exists(JsSdkPath), "the KVS JS SDK browser bundle (npm ci in tests/Kvs.WebRtc.InteropTests/node)");
            sdk = JsSdkPath;
        }

        var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions(), cancellationToken);
        WebTarget? target = null;
        try
        {
            target = WebTarget.ForEmulator(emulator.ServiceUrl, emulator.Region, emulator.Credentials);
            var server = await WebViewerServer.StartAsync(target, 0, sdk, NullLoggerFactory.Instance, cancellationToken);
            return new WebPageHost(emulator, target, server);
        }
        catch
        {
            target?.Dispose();
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Options of our sessions on a channel of this emulator (loopback, no TURN, no public STUN).</summary>
    public KvsChannelOptions ChannelOptions(string channel) => new()
    {
        Channel = channel,
        Region = Emulator.Region,
        ServiceUrl = Emulator.ServiceUrl,
        Credentials = new StaticCredentialsProvider(Emulator.Credentials),
        UseTurn = false,
    };

    /// <summary>
    /// Opens the page in a launched Chromium: grants camera and microphone on its origin (Chromium gathers loopback ICE
    /// candidates only with media permission), navigates, and waits until the page loaded its config and the SDK.
    /// </summary>
    public async Task OpenAsync(IPage page, CancellationToken cancellationToken)
    {
        var origin = PageUrl.GetLeftPart(UriPartial.Authority);
        await page.Context.GrantPermissionsAsync(["camera", "microphone"], new BrowserContextGrantPermissionsOptions { Origin = origin });
        await page.GotoAsync(PageUrl.ToString()).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await page.WaitForFunctionAsync("() => window.kvsPage && (kvsPage.ready || kvsPage.errors.length > 0 || kvsPage.status.startsWith('missing'))",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 }).WaitAsync(cancellationToken);
        var notReady = await page.EvaluateAsync<string>("() => kvsPage.ready ? '' : kvsPage.status + ' ' + kvsPage.errors.join('; ')");
        if (notReady.Length > 0)
        {
            throw new InvalidOperationException("The page did not get ready: " + notReady);
        }

        await page.EvaluateAsync(
            "async () => { const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true }); s.getTracks().forEach(t => t.stop()); }")
            .WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Polls the page's <c>kvsPage.status</c> until it equals <paramref name="status"/>; fails fast on an error status.</summary>
    public static async Task WaitForStatusAsync(IPage page, string status, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var last = await ChromiumMediaPeer.WaitForAsync(
            _ => page.EvaluateAsync<string>("() => kvsPage.status"),
            s => s == status || s.StartsWith("error", StringComparison.Ordinal), timeout, $"page status '{status}'", cancellationToken: cancellationToken);
        if (last != status)
        {
            var errors = await page.EvaluateAsync<string[]>("() => kvsPage.errors");
            throw new InvalidOperationException($"The page reached '{last}' while waiting for '{status}': {string.Join("; ", errors)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Target.Dispose();
        await Emulator.DisposeAsync();
    }
}
