using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// Headless Firefox ESR as a WebRTC peer: <c>node/firefox-peer.js</c> drives it over WebDriver BiDi (puppeteer-core)
/// and speaks JSON lines. The page holds one <c>RTCPeerConnection</c> (<c>window.ff.pc</c>) and its data channels;
/// every operation is bounded by the caller's token, and disposal kills node and Firefox.
/// </summary>
/// <remarks>
/// Firefox gathers its loopback host candidates because the page's origin (<c>http://127.0.0.1:PORT</c>) holds
/// persistent camera/microphone permissions and <c>media.peerconnection.ice.loopback</c> is on (see the script and
/// <c>docs/interop-firefox.md</c>). It also gathers this machine's other addresses: <see cref="KeepLoopbackCandidates"/>
/// removes them from every description and candidate before our stack sees them, so our side (bound to 127.0.0.1)
/// only ever talks to 127.0.0.1, and Firefox never pairs its non-loopback candidates with our loopback ones.
/// </remarks>
internal sealed class FirefoxPeer : IAsyncDisposable
{
    private static readonly TimeSpan s_launchTimeout = TimeSpan.FromSeconds(45);

    private readonly Process _process;
    private readonly string _profile;
    private readonly SemaphoreSlim _stdin = new(1, 1);
    private readonly JsonEventLog _events = new("Firefox", 300);
    private readonly Dictionary<int, TaskCompletionSource<JsonNode?>> _calls = [];
    private readonly List<string> _dropped = [];
    private readonly CancellationTokenSource _stop = new();
    private int _nextId;
    private int? _firefoxPid;

    private FirefoxPeer(Process process, string profile)
    {
        _process = process;
        _profile = profile;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => _events.AddStderr(e.Data);
    }

    /// <summary>The page's origin, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>The browser version, e.g. <c>firefox/153.8.0</c>.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>Candidates (from SDP or trickle, either direction) the loopback filter removed.</summary>
    public IReadOnlyList<string> DroppedCandidates
    {
        get
        {
            lock (_dropped)
            {
                return [.. _dropped];
            }
        }
    }

    /// <summary>Finds node, puppeteer-core and Firefox ESR: skips outside CI, fails under <c>CI=true</c>, when one is missing.</summary>
    public static string RequireTools()
    {
        var node = ExternalTool.Require("node", "/usr/bin/node");
        ExternalTool.Require("firefox-esr", "/usr/bin/firefox-esr");
        ExternalTool.RequireCondition(
            Directory.Exists(Path.Combine(NodeScript.ScriptDirectory, "node_modules", "puppeteer-core")),
            "npm package puppeteer-core (npm ci in tests/Kvs.WebRtc.InteropTests/node)");
        return node;
    }

    /// <summary>Launches Firefox on a loopback page with a fresh profile and waits (bounded) until it is ready.</summary>
    public static async Task<FirefoxPeer> LaunchAsync(CancellationToken ct, string? mozLogFile = null)
    {
        var node = RequireTools();
        var firefox = ExternalTool.Find("firefox-esr", "/usr/bin/firefox-esr")!;
        var profile = Directory.CreateTempSubdirectory("kvs-firefox-").FullName;
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = NodeScript.ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(NodeScript.ScriptDirectory, "firefox-peer.js"));
        psi.Environment["FIREFOX_PATH"] = firefox;
        psi.Environment["FIREFOX_PROFILE"] = profile;
        psi.Environment["FIREFOX_PEER_TIMEOUT_MS"] = "180000";
        if (mozLogFile is not null)
        {
            psi.Environment["FIREFOX_LOG_FILE"] = mozLogFile;
        }

        var process = new Process { StartInfo = psi };
        var peer = new FirefoxPeer(process, profile);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var launch = CancellationTokenSource.CreateLinkedTokenSource(ct);
            launch.CancelAfter(s_launchTimeout);
            var ready = await peer.WaitForEventAsync("ready", launch.Token);
            peer.Origin = (string?)ready["origin"] ?? string.Empty;
            peer.Version = (string?)ready["version"] ?? string.Empty;
            peer._firefoxPid = (int?)ready["pid"];
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls <c>window.ff[fn](...args)</c> in the page and returns its (JSON) result.</summary>
    /// <exception cref="InvalidOperationException">The page threw.</exception>
    public Task<JsonNode?> CallAsync(string fn, CancellationToken ct, params object?[] args) =>
        RequestAsync(id => new { id, cmd = "call", fn, args }, $"ff.{fn}", ct);

    /// <summary>Evaluates a JavaScript expression in the page (promises are awaited; <c>window.ff.pc</c> is the peer connection).</summary>
    public Task<JsonNode?> EvaluateAsync(string expression, CancellationToken ct) =>
        RequestAsync(id => new { id, cmd = "eval", expr = expression }, "eval", ct);

    /// <summary>
    /// Creates the page's peer connection (default <c>{ iceServers: [] }</c>). It replaces (closes) an earlier one, whose
    /// events are forgotten: <see cref="WaitForEventAsync"/> and <see cref="Errors"/> only see the new connection's.
    /// </summary>
    public Task CreatePeerConnectionAsync(CancellationToken ct, object? configuration = null)
    {
        _events.ForgetEarlier();
        return CallAsync("createPc", ct, configuration);
    }

    /// <summary>Creates a data channel on Firefox's side (<paramref name="init"/> is an <c>RTCDataChannelInit</c> object).</summary>
    public Task CreateDataChannelAsync(string label, CancellationToken ct, object? init = null) => CallAsync("createDataChannel", ct, label, init);

    /// <summary>Adds a transceiver, e.g. <c>("video", new { direction = "recvonly" })</c>.</summary>
    public Task AddTransceiverAsync(string kind, CancellationToken ct, object? init = null) => CallAsync("addTransceiver", ct, kind, init);

    /// <summary>Adds the fake camera/microphone tracks (<c>getUserMedia</c>, <c>media.navigator.streams.fake</c>); returns their kinds.</summary>
    public async Task<IReadOnlyList<string>> AddFakeMediaAsync(CancellationToken ct, object? constraints = null)
    {
        var kinds = await CallAsync("addFakeMedia", ct, constraints);
        return kinds is JsonArray array ? array.Select(k => (string)k!).ToList() : [];
    }

    /// <summary>Creates an offer, sets it locally and returns it once gathering completed (candidates inside, unfiltered).</summary>
    public async Task<string> CreateOfferAsync(CancellationToken ct, object? options = null) =>
        (string)(await CallAsync("createOffer", ct, options, 10_000))!;

    /// <summary>Sets a remote offer, answers, and returns the answer once gathering completed (unfiltered).</summary>
    public async Task<string> AcceptOfferAsync(string offerSdp, CancellationToken ct) =>
        (string)(await CallAsync("acceptOffer", ct, offerSdp, 10_000))!;

    /// <summary>Sets a remote answer.</summary>
    public Task SetRemoteAnswerAsync(string answerSdp, CancellationToken ct) => CallAsync("setRemoteAnswer", ct, answerSdp);

    /// <summary>Adds a remote candidate (<c>candidate:...</c> without <c>a=</c>; null for end of candidates).</summary>
    public Task AddIceCandidateAsync(string? candidate, string? sdpMid, int? sdpMLineIndex, CancellationToken ct) =>
        CallAsync("addIceCandidate", ct, candidate, sdpMid, sdpMLineIndex);

    /// <summary>Sends a text message on Firefox's channel <paramref name="label"/>.</summary>
    public Task SendTextAsync(string label, string text, CancellationToken ct) => CallAsync("send", ct, label, text, null);

    /// <summary>Sends a binary message on Firefox's channel <paramref name="label"/>.</summary>
    public Task SendBinaryAsync(string label, byte[] data, CancellationToken ct) => CallAsync("send", ct, label, null, Convert.ToBase64String(data));

    /// <summary>Firefox sends <c>prefix + i</c> for i in [0, count) with flow control (returns when all are queued).</summary>
    public Task SendManyAsync(string label, int count, string prefix, CancellationToken ct) => CallAsync("sendMany", ct, label, count, prefix);

    /// <summary>Firefox echoes every message on <paramref name="label"/> instead of reporting it.</summary>
    public Task SetEchoAsync(string label, bool on, CancellationToken ct) => CallAsync("setEcho", ct, label, on);

    /// <summary>Closes Firefox's channel <paramref name="label"/>.</summary>
    public Task CloseChannelAsync(string label, CancellationToken ct) => CallAsync("closeChannel", ct, label);

    /// <summary>Signaling, ICE gathering, ICE, connection, SCTP and DTLS states of the page's peer connection.</summary>
    public async Task<JsonObject> GetStateAsync(CancellationToken ct) => (JsonObject)(await CallAsync("state", ct))!;

    /// <summary>
    /// Waits until the page's <c>connectionState</c> is <c>connected</c>: Firefox sets up its SRTP receive path after its
    /// side of the DTLS handshake, so media sent before that moment can be discarded (the first key frame lost).
    /// </summary>
    public async Task WaitConnectedAsync(TimeSpan timeout, CancellationToken ct)
    {
        var state = await ChromiumMediaPeer.WaitForAsync(GetStateAsync, s => (string?)s["connection"] is "connected" or "failed" or "closed",
            timeout, "Firefox connectionState connected", cancellationToken: ct).ConfigureAwait(false);
        if ((string?)state["connection"] != "connected")
        {
            throw new InvalidOperationException("Firefox reached connectionState " + state.ToJsonString() + " while waiting for connected; " + Describe());
        }
    }

    /// <summary><c>getStats()</c> as a JSON array of report objects.</summary>
    public async Task<JsonArray> GetStatsAsync(CancellationToken ct) => (JsonArray)(await CallAsync("stats", ct))!;

    /// <summary>Puts <paramref name="mimeType"/> (e.g. <c>video/VP8</c>) first on Firefox's transceivers of <paramref name="kind"/>; returns how many.</summary>
    public async Task<int> PreferCodecAsync(string kind, string mimeType, CancellationToken ct) =>
        (int)(await CallAsync("preferCodec", ct, kind, mimeType))!;

    /// <summary>
    /// Firefox's <c>inbound-rtp</c> video stats (W3C webrtc-stats fields, the same record the Chromium tests read;
    /// <see cref="InboundVideoStats.Exists"/> is false before there is one).
    /// </summary>
    public Task<InboundVideoStats> GetInboundVideoStatsAsync(CancellationToken ct) => RtpStatsAsync<InboundVideoStats>("inbound-rtp", "video", ct);

    /// <summary>Firefox's <c>inbound-rtp</c> audio stats (W3C webrtc-stats fields, see <see cref="GetInboundVideoStatsAsync"/>).</summary>
    public Task<InboundAudioStats> GetInboundAudioStatsAsync(CancellationToken ct) => RtpStatsAsync<InboundAudioStats>("inbound-rtp", "audio", ct);

    /// <summary>Firefox's <c>outbound-rtp</c> stats of <paramref name="kind"/> (<c>video</c> or <c>audio</c>), for when Firefox sends.</summary>
    public Task<OutboundRtpStats> GetOutboundRtpStatsAsync(string kind, CancellationToken ct) => RtpStatsAsync<OutboundRtpStats>("outbound-rtp", kind, ct);

    /// <summary>
    /// Draws the current frame of the page's remote <c>&lt;video&gt;</c> to a canvas and returns the average colour of a
    /// <paramref name="patchSize"/>-pixel square around each point (0..1 of the picture's width and height).
    /// </summary>
    /// <exception cref="InvalidOperationException">The video element has no decoded frame yet.</exception>
    public async Task<IReadOnlyList<Rgb>> SampleVideoColoursAsync(IReadOnlyList<(double X, double Y)> normalizedPoints, CancellationToken ct, int patchSize = 8)
    {
        var points = normalizedPoints.Select(p => new[] { p.X, p.Y }).ToArray();
        var colours = await CallAsync("sampleColours", ct, points, patchSize) as JsonArray
            ?? throw new InvalidOperationException("Firefox has no decoded video frame to sample.");
        return colours.Select(c => new Rgb((int)c![0]!, (int)c[1]!, (int)c[2]!)).ToList();
    }

    /// <summary>Page-side media notes (e.g. a failed <c>play()</c>), for assertion messages.</summary>
    public async Task<IReadOnlyList<string>> GetMediaLogAsync(CancellationToken ct) =>
        (await CallAsync("mediaLog", ct) as JsonArray)?.Select(e => (string?)e ?? string.Empty).ToList() ?? [];

    /// <summary>Firefox offers (whatever was set up on its peer connection); we answer; our candidates trickle to Firefox.</summary>
    public async Task FirefoxOffersAsync(RTCPeerConnection ours, CancellationToken ct)
    {
        var trickle = TrickleOurCandidates(ours, ct);
        var offer = Filter(await CreateOfferAsync(ct));
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), ct);
        var answer = await ours.CreateAnswerAsync(ct);
        await ours.SetLocalDescriptionAsync(answer, ct);
        await SetRemoteAnswerAsync(answer.Sdp, ct);
        trickle.TrySetResult();
    }

    /// <summary>We offer; Firefox answers (candidates in its answer, filtered to loopback); our candidates trickle to Firefox.</summary>
    public async Task WeOfferAsync(RTCPeerConnection ours, CancellationToken ct)
    {
        var trickle = TrickleOurCandidates(ours, ct);
        var offer = await ours.CreateOfferAsync(ct);
        await ours.SetLocalDescriptionAsync(offer, ct);
        var answer = Filter(await AcceptOfferAsync(offer.Sdp, ct));
        trickle.TrySetResult();
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), ct);
    }

    /// <summary>
    /// Removes every candidate line whose address is not 127.0.0.1 or ::1 (or that is not UDP) and rewrites non-loopback
    /// <c>c=</c> addresses to the unspecified address, so nothing in the description points our stack off loopback.
    /// </summary>
    /// <param name="sdp">A description from Firefox.</param>
    /// <param name="dropped">Receives the removed candidate lines.</param>
    public static string KeepLoopbackCandidates(string sdp, ICollection<string>? dropped = null)
    {
        var builder = new StringBuilder(sdp.Length);
        foreach (var line in sdp.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && !IsLoopbackUdpCandidate(line))
            {
                dropped?.Add(line);
                continue;
            }

            var kept = line;
            if (line.StartsWith("c=IN IP", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length == 3 && IPAddress.TryParse(parts[2], out var address) && !IPAddress.IsLoopback(address))
                {
                    kept = parts[1] == "IP6" ? "c=IN IP6 ::" : "c=IN IP4 0.0.0.0";
                }
            }

            builder.Append(kept).Append("\r\n");
        }

        return builder.ToString();
    }

    /// <summary>True for a UDP candidate (with or without <c>a=</c>) whose connection address is 127.0.0.1 or ::1.</summary>
    public static bool IsLoopbackUdpCandidate(string candidate)
    {
        // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
        var parts = candidate.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 8
            && parts[2].Equals("UDP", StringComparison.OrdinalIgnoreCase)
            && IPAddress.TryParse(parts[4], out var address)
            && IPAddress.IsLoopback(address);
    }

    /// <summary>Waits (bounded by <paramref name="ct"/>) for the first not yet taken event <paramref name="name"/> matching <paramref name="match"/>, and takes it.</summary>
    public Task<JsonObject> WaitForEventAsync(string name, CancellationToken ct, Func<JsonObject, bool>? match = null) =>
        _events.WaitForAsync(name, ct, match, Gone);

    /// <summary>Takes <paramref name="count"/> message events on <paramref name="label"/>, in arrival order.</summary>
    public Task<List<JsonObject>> TakeMessagesAsync(string label, int count, CancellationToken ct) =>
        _events.TakeMessagesAsync(label, count, ct, Gone);

    /// <summary>A message event's payload: text, or the bytes of a binary message.</summary>
    public static (string? Text, byte[]? Binary) Payload(JsonObject message) => JsonEventLog.Payload(message);

    /// <summary>Errors the page reported on its own (channel errors), for assertions.</summary>
    public IReadOnlyList<string> Errors => _events.Where(e => (string?)e["event"] is "channelError" or "fatal");

    /// <summary>Recent events and stderr, for assertion messages.</summary>
    public string Describe() => _events.Describe();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await WriteAsync(JsonSerializer.Serialize(new { cmd = "close" }));
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(8));
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
                {
                    // Gone, or not closing in time: killed below.
                }
            }
        }
        finally
        {
            KillEverything();
            _process.Dispose();
            _stop.Dispose();
            _stdin.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: a temp folder.
            }
        }
    }

    private async Task<T> RtpStatsAsync<T>(string type, string kind, CancellationToken ct)
        where T : new()
    {
        var json = (string?)await CallAsync("rtpStats", ct, type, kind);
        return RtpStatsJson.Parse<T>(json);
    }

    private string Filter(string sdp)
    {
        var dropped = new List<string>();
        var kept = KeepLoopbackCandidates(sdp, dropped);
        lock (_dropped)
        {
            _dropped.AddRange(dropped);
        }

        return kept;
    }

    private void KillEverything()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        // Firefox runs in its own process group; if node died first it is no longer in node's tree.
        if (_firefoxPid is { } pid)
        {
            try
            {
                using var firefox = Process.GetProcessById(pid);
                if (!firefox.HasExited && firefox.ProcessName.Contains("firefox", StringComparison.OrdinalIgnoreCase))
                {
                    firefox.Kill(entireProcessTree: true);
                    firefox.WaitForExit(5000);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private TaskCompletionSource TrickleOurCandidates(RTCPeerConnection ours, CancellationToken ct)
    {
        var firefoxHasRemote = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = System.Threading.Channels.Channel.CreateUnbounded<RTCIceCandidateInit?>();
        ours.IceCandidate += (_, e) => queue.Writer.TryWrite(e.Candidate);
        _ = Task.Run(async () =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            try
            {
                await firefoxHasRemote.Task.WaitAsync(linked.Token);
                await foreach (var candidate in queue.Reader.ReadAllAsync(linked.Token))
                {
                    if (candidate is null || candidate.IsEndOfCandidates)
                    {
                        continue;
                    }

                    var text = candidate.Candidate.StartsWith("a=", StringComparison.Ordinal) ? candidate.Candidate[2..] : candidate.Candidate;
                    if (!IsLoopbackUdpCandidate(text))
                    {
                        lock (_dropped)
                        {
                            _dropped.Add("ours: " + text);
                        }

                        continue;
                    }

                    await AddIceCandidateAsync(text, candidate.SdpMid ?? "0", candidate.SdpMLineIndex ?? 0, linked.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or IOException or InvalidOperationException or ObjectDisposedException)
            {
                // Disposed, or the page is gone; the test's own waits report the failure.
            }
        }, CancellationToken.None);
        return firefoxHasRemote;
    }

    private async Task<JsonNode?> RequestAsync(Func<int, object> command, string what, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_calls)
        {
            _calls[id] = tcs;
        }

        try
        {
            await WriteAsync(JsonSerializer.Serialize(command(id)));
            return await tcs.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Firefox did not answer {what} in time. {Describe()}");
        }
        finally
        {
            lock (_calls)
            {
                _calls.Remove(id);
            }
        }
    }

    private async Task WriteAsync(string line)
    {
        await _stdin.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _stdin.Release();
        }
    }

    private void OnLine(string? line)
    {
        if (JsonEventLog.Parse(line) is not { } evt)
        {
            _events.Signal();
            return;
        }

        var name = (string?)evt["event"];
        if (name is "result" or "error" && evt["id"] is JsonValue idValue && idValue.TryGetValue<int>(out var id))
        {
            TaskCompletionSource<JsonNode?>? call;
            lock (_calls)
            {
                _calls.TryGetValue(id, out call);
            }

            if (name == "result")
            {
                call?.TrySetResult(evt["value"]?.DeepClone());
            }
            else
            {
                call?.TrySetException(new InvalidOperationException($"Firefox: {(string?)evt["message"]}"));
            }

            return;
        }

        _events.Add(evt);
    }

    private string? Gone() => _process.HasExited ? $"The Firefox peer exited ({_process.ExitCode})" : null;
}
