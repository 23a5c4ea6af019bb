using System.Text.Json;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// One Chromium <c>RTCPeerConnection</c> (no ICE servers) in a <see cref="ChromiumPage"/>, for media interop: it offers or
/// answers with full SDP (candidates inside, after gathering completed or timed out), plays what it receives in muted
/// autoplay <c>&lt;video&gt;</c>/<c>&lt;audio&gt;</c> elements, and reports <c>getStats()</c> and the colours of the
/// decoded picture. The page code is <c>chromium-media-peer.js</c> beside this file; several named peers can share a page.
/// Every call is bounded by <see cref="CallTimeout"/> (or the given timeout) and the cancellation token.
/// </summary>
public sealed class ChromiumMediaPeer : IAsyncDisposable
{
    /// <summary>The longest a single page call may take (SDP calls add the gathering timeout).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly bool _ownsPage;

    private ChromiumMediaPeer(ChromiumPage page, string name, bool ownsPage)
    {
        Page = page;
        Name = name;
        _ownsPage = ownsPage;
    }

    /// <summary>The page script.</summary>
    public static string ScriptPath => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "Support", "chromium-media-peer.js");

    /// <summary>The page this peer lives in.</summary>
    public ChromiumPage Page { get; }

    /// <summary>The peer's name in the page (its elements are <c>{name}-video</c> and <c>{name}-audio</c>).</summary>
    public string Name { get; }

    /// <summary>Launches Chromium (see <see cref="ChromiumPage.LaunchAsync"/>) with one media peer that owns the browser.</summary>
    public static async Task<ChromiumMediaPeer> LaunchAsync(CancellationToken cancellationToken = default)
    {
        var page = await ChromiumPage.LaunchAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(page, "peer", ownsPage: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await page.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds a media peer named <paramref name="name"/> to an existing page (the caller keeps owning the page).</summary>
    public static Task<ChromiumMediaPeer> CreateAsync(ChromiumPage page, string name, CancellationToken cancellationToken = default) =>
        CreateAsync(page, name, ownsPage: false, cancellationToken);

    private static async Task<ChromiumMediaPeer> CreateAsync(ChromiumPage page, string name, bool ownsPage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            throw new ArgumentException("A name of ASCII letters, digits and '-' is required.", nameof(name));
        }

        await page.AddScriptFileAsync(ScriptPath, CallTimeout, cancellationToken).ConfigureAwait(false);
        var peer = new ChromiumMediaPeer(page, name, ownsPage);
        await peer.EvalAsync<bool>("name => { kvsMedia.create(name); return true; }", name, CallTimeout, cancellationToken).ConfigureAwait(false);
        return peer;
    }

    /// <summary>
    /// Answers <paramref name="offerSdp"/>, receiving only: setRemoteDescription, createAnswer, setLocalDescription,
    /// wait for ICE gathering (bounded), return the answer SDP with its candidates.
    /// </summary>
    public Task<string> AnswerAsync(string offerSdp, CancellationToken cancellationToken = default) =>
        AnswerAsync(offerSdp, new ChromiumAnswerOptions(), cancellationToken);

    /// <summary>Answers <paramref name="offerSdp"/>, sending what <paramref name="options"/> asks for on the offered m-lines.</summary>
    public Task<string> AnswerAsync(string offerSdp, ChromiumAnswerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerSdp);
        ArgumentNullException.ThrowIfNull(options);
        var o = new
        {
            sendAudio = options.SendAudio,
            sendVideo = options.SendVideo,
            videoSource = SourceText(options.VideoSource),
            videoCodec = options.VideoCodec,
            gatherMs = (int)options.GatheringTimeout.TotalMilliseconds,
        };
        return EvalAsync<string>("([name, sdp, o]) => kvsMedia.answer(name, sdp, o)", new object[] { Name, offerSdp, o },
            CallTimeout + options.GatheringTimeout, cancellationToken);
    }

    /// <summary>
    /// Creates an offer (transceivers and/or a data channel per <paramref name="options"/>, with the fake devices or the
    /// canvas pattern as senders), sets it locally, waits for ICE gathering (bounded) and returns it with its candidates.
    /// </summary>
    public Task<string> CreateOfferAsync(ChromiumOfferOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = new
        {
            audio = DirectionText(options.Audio),
            video = DirectionText(options.Video),
            dataChannel = options.DataChannel,
            videoSource = SourceText(options.VideoSource),
            videoCodec = options.VideoCodec,
            width = options.VideoWidth,
            height = options.VideoHeight,
            maxBitrate = options.MaxVideoBitrate,
            gatherMs = (int)options.GatheringTimeout.TotalMilliseconds,
        };
        return EvalAsync<string>("([name, o]) => kvsMedia.offer(name, o)", new object[] { Name, o },
            CallTimeout + options.GatheringTimeout, cancellationToken);
    }

    /// <summary>Applies the remote answer to this peer's offer.</summary>
    public Task SetRemoteAnswerAsync(string answerSdp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answerSdp);
        return EvalAsync<bool>("async ([name, sdp]) => { await kvsMedia.setAnswer(name, sdp); return true; }", new object[] { Name, answerSdp },
            CallTimeout, cancellationToken);
    }

    /// <summary>The peer connection's <c>connectionState</c> (<c>new</c>, <c>connecting</c>, <c>connected</c>, ...).</summary>
    public async Task<string> GetConnectionStateAsync(CancellationToken cancellationToken = default)
    {
        var json = await EvalAsync<string>("name => JSON.stringify(kvsMedia.state(name))", Name, CallTimeout, cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("connectionState").GetString() ?? string.Empty;
    }

    /// <summary>Page-side events of this peer (<c>track:video</c>, <c>datachannel:label</c>, play errors), for diagnostics.</summary>
    public Task<string[]> GetLogAsync(CancellationToken cancellationToken = default) =>
        EvalAsync<string[]>("name => kvsMedia.log(name)", Name, CallTimeout, cancellationToken);

    /// <summary>The inbound video RTP stats (the stream with most packets when there are several).</summary>
    public Task<InboundVideoStats> GetInboundVideoStatsAsync(CancellationToken cancellationToken = default) =>
        RtpStatsAsync<InboundVideoStats>("inbound-rtp", "video", cancellationToken);

    /// <summary>The inbound audio RTP stats (the stream with most packets when there are several).</summary>
    public Task<InboundAudioStats> GetInboundAudioStatsAsync(CancellationToken cancellationToken = default) =>
        RtpStatsAsync<InboundAudioStats>("inbound-rtp", "audio", cancellationToken);

    /// <summary>The outbound RTP stats of <paramref name="kind"/> (<c>video</c> or <c>audio</c>), for when Chromium sends.</summary>
    public Task<OutboundRtpStats> GetOutboundRtpStatsAsync(string kind = "video", CancellationToken cancellationToken = default) =>
        RtpStatsAsync<OutboundRtpStats>("outbound-rtp", kind, cancellationToken);

    /// <summary>The <c>remote-inbound-rtp</c> stats of <paramref name="kind"/>: what the remote receiver's RTCP report blocks told Chromium.</summary>
    public Task<RemoteInboundRtpStats> GetRemoteInboundRtpStatsAsync(string kind = "video", CancellationToken cancellationToken = default) =>
        RtpStatsAsync<RemoteInboundRtpStats>("remote-inbound-rtp", kind, cancellationToken);

    /// <summary>The <c>remote-outbound-rtp</c> stats of <paramref name="kind"/>: what the remote sender's RTCP SRs told Chromium.</summary>
    public Task<RemoteOutboundRtpStats> GetRemoteOutboundRtpStatsAsync(string kind = "video", CancellationToken cancellationToken = default) =>
        RtpStatsAsync<RemoteOutboundRtpStats>("remote-outbound-rtp", kind, cancellationToken);

    /// <summary>
    /// The browser's send-side bandwidth estimate in bit/s: <c>availableOutgoingBitrate</c> of its selected candidate pair
    /// (W3C webrtc-stats), 0 before there is one.
    /// </summary>
    public Task<double> GetAvailableOutgoingBitrateAsync(CancellationToken cancellationToken = default) =>
        EvalAsync<double>("name => kvsMedia.availableOutgoingBitrate(name)", Name, CallTimeout, cancellationToken);

    /// <summary>
    /// Draws the current frame of the peer's <c>&lt;video&gt;</c> to a canvas and returns the average colour of a
    /// <paramref name="patchSize"/>-pixel square around each point (0..1 of the picture's width and height).
    /// </summary>
    /// <exception cref="InvalidOperationException">The video element has no decoded frame yet.</exception>
    public async Task<IReadOnlyList<Rgb>> SampleVideoColoursAsync(
        IReadOnlyList<(double X, double Y)> normalizedPoints, int patchSize = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(normalizedPoints);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        var points = normalizedPoints.Select(p => new[] { p.X, p.Y }).ToArray();
        var json = await EvalAsync<string>("([name, points, patch]) => JSON.stringify(kvsMedia.sampleColours(name, points, patch))",
            new object[] { Name, points, patchSize }, CallTimeout, cancellationToken).ConfigureAwait(false);
        var colours = JsonSerializer.Deserialize<int[][]?>(json, s_json)
            ?? throw new InvalidOperationException($"Chromium peer '{Name}' has no decoded video frame to sample.");
        return colours.Select(c => new Rgb(c[0], c[1], c[2])).ToList();
    }

    /// <summary>
    /// Polls <paramref name="probe"/> (every <paramref name="interval"/>, default 100 ms) until <paramref name="predicate"/>
    /// holds and returns that value; throws <see cref="TimeoutException"/> with <paramref name="what"/> and the last value
    /// after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<T> WaitForAsync<T>(
        Func<CancellationToken, Task<T>> probe, Func<T, bool> predicate, TimeSpan timeout, string what,
        TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(predicate);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var last = default(T);
        try
        {
            while (true)
            {
                last = await probe(limit.Token).ConfigureAwait(false);
                if (predicate(last))
                {
                    return last;
                }

                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}");
        }
    }

    /// <summary>Waits until <c>connectionState</c> is <paramref name="state"/> (fails early on <c>failed</c>/<c>closed</c>).</summary>
    public async Task WaitForConnectionStateAsync(string state, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reached = await WaitForAsync(GetConnectionStateAsync, s => s == state || s is "failed" or "closed", timeout,
            $"Chromium peer '{Name}' connectionState {state}", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (reached != state)
        {
            throw new InvalidOperationException($"Chromium peer '{Name}' reached connectionState '{reached}' while waiting for '{state}'.");
        }
    }

    /// <summary>Closes the peer connection, stops its local tracks; closes the browser when this peer launched it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Page.Page.EvaluateAsync("name => kvsMedia.close(name)", Name).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or Microsoft.Playwright.PlaywrightException)
        {
            // Best effort: the page or browser is already gone.
        }
        finally
        {
            if (_ownsPage)
            {
                await Page.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<T> RtpStatsAsync<T>(string type, string kind, CancellationToken cancellationToken)
        where T : new()
    {
        var json = await EvalAsync<string>("([name, type, kind]) => kvsMedia.rtpStats(name, type, kind)", new object[] { Name, type, kind },
            CallTimeout, cancellationToken).ConfigureAwait(false);
        return RtpStatsJson.Parse<T>(json);
    }

    private Task<T> EvalAsync<T>(string function, object? argument, TimeSpan timeout, CancellationToken cancellationToken) =>
        Page.Page.EvaluateAsync<T>(function, argument).WaitAsync(timeout, cancellationToken);

    private static string DirectionText(ChromiumMediaDirection direction) => direction switch
    {
        ChromiumMediaDirection.None => "none",
        ChromiumMediaDirection.RecvOnly => "recvonly",
        ChromiumMediaDirection.SendRecv => "sendrecv",
        ChromiumMediaDirection.SendOnly => "sendonly",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    private static string SourceText(ChromiumVideoSource source) => source switch
    {
        ChromiumVideoSource.FakeCamera => "fakeCamera",
        ChromiumVideoSource.TestPattern => "testPattern",
        ChromiumVideoSource.Noise => "noise",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}
