using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>
/// Our ICE agent against Chromium's (libwebrtc) on 127.0.0.1, in both roles. Only ICE is asserted: DTLS is not spoken,
/// so Chromium's DTLS stalls after ICE connects.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class ChromiumIceInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private const string GatherCompleteJs = """
        (pc, timeoutMs) => new Promise(resolve => {
            if (pc.iceGatheringState === 'complete') { resolve(); return; }
            const timer = setTimeout(resolve, timeoutMs);
            pc.addEventListener('icegatheringstatechange', () => {
                if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
            });
        })
        """;

    // Resolves to "state|ms": ms from window.tRemote (remote description applied) to ICE connected, measured in the page.
    private const string WaitConnectedJs = """
        async (timeoutMs) => {
            const pc = window.pc;
            const done = s => s === 'connected' || s === 'completed' || s === 'failed';
            const result = () => pc.iceConnectionState + '|' + ((window.tConnected ?? performance.now()) - window.tRemote).toFixed(1);
            if (done(pc.iceConnectionState)) return result();
            return await new Promise(resolve => {
                const timer = setTimeout(() => resolve(result()), timeoutMs);
                pc.addEventListener('iceconnectionstatechange', () => {
                    if (done(pc.iceConnectionState)) { clearTimeout(timer); resolve(result()); }
                });
            });
        }
        """;

    // Creates window.pc and records when ICE connects.
    private const string CreatePcJs =
        "const pc = new RTCPeerConnection({ iceServers: [] }); window.pc = pc;" +
        " pc.addEventListener('iceconnectionstatechange', () => { if ((pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') && window.tConnected === undefined) window.tConnected = performance.now(); });";

    private const string AddCandidatesJs = """
        async (lines) => {
            for (const line of lines) {
                await window.pc.addIceCandidate({ candidate: line.startsWith('a=') ? line.substring(2) : line, sdpMid: '0', sdpMLineIndex: 0 });
            }
            await window.pc.addIceCandidate({ candidate: '', sdpMid: '0', sdpMLineIndex: 0 });
        }
        """;

    [Test]
    public async Task ChromiumOffers_OurAgentAnswersAsControlled_BothReachConnected()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var page = await ChromiumPage.LaunchAsync(cts.Token);
        await using var ours = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = [IPAddress.Loopback] });
        var ourCandidates = await GatherAsync(ours, cts.Token);
        var clock = Stopwatch.StartNew();

        var offer = await page.EvaluateAsync<string>(
            "async (timeoutMs) => { " + CreatePcJs + " pc.createDataChannel('ice');" +
            " await pc.setLocalDescription(await pc.createOffer()); await (" + GatherCompleteJs + ")(pc, timeoutMs); return pc.localDescription.sdp; }",
            10_000);
        var (ufrag, pwd, chromiumCandidates) = ChromiumSdp.Read(offer);
        Assert.That(chromiumCandidates, Is.Not.Empty, "Chromium gathered candidates");

        var answer = ChromiumSdp.Write(ours.LocalCredentials.Ufrag, ours.LocalCredentials.Password, SdpSetup.Active);
        await page.EvaluateAsync("async (sdp) => { window.tRemote = performance.now(); await window.pc.setRemoteDescription({ type: 'answer', sdp }); }", answer);
        var ourStart = Stopwatch.GetTimestamp();
        ours.SetRemoteCredentials(new IceCredentials(ufrag, pwd));
        var accepted = chromiumCandidates.Count(c => ours.AddRemoteCandidate(c));
        ours.SetRemoteEndOfCandidates();
        await page.EvaluateAsync(AddCandidatesJs, ourCandidates.Select(c => c.ToString()).ToArray());

        var (chromiumState, chromiumMs) = Split(await page.EvaluateAsync<string>(WaitConnectedJs, 20_000));
        var ourState = await ours.WaitForStateAsync(s => s is IceConnectionState.Connected or IceConnectionState.Completed or IceConnectionState.Failed, cts.Token);
        var ourMs = Stopwatch.GetElapsedTime(ourStart).TotalMilliseconds;
        TestContext.Out.WriteLine($"ICE ours(controlled)<->Chromium(controlling): ours remote-credentials->{ourState} {ourMs:F1} ms;" +
            $" Chromium setRemoteDescription->connected {chromiumMs} ms; whole exchange {clock.ElapsedMilliseconds} ms; {accepted} Chromium UDP candidates");

        Assert.That(chromiumState, Is.EqualTo("connected").Or.EqualTo("completed"));
        Assert.That(ourState, Is.EqualTo(IceConnectionState.Connected).Or.EqualTo(IceConnectionState.Completed));
        Assert.That(ours.Role, Is.EqualTo(IceRole.Controlled));
        Assert.That(ours.SelectedPair, Is.Not.Null);
        // Chromium nominates: the pair it chose must be one of its signalled UDP candidates (the machine may have more than lo).
        var chromiumEndPoints = chromiumCandidates.Select(IceCandidate.Parse).Select(c => c.EndPoint).OfType<IPEndPoint>().ToList();
        Assert.That(chromiumEndPoints, Does.Contain(ours.SelectedPair!.RemoteEndPoint));
    }

    [Test]
    public async Task OurAgentOffersAsControlling_ChromiumAnswers_BothReachConnectedAndDtlsArrives()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var page = await ChromiumPage.LaunchAsync(cts.Token);
        using var logs = new TestContextLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Debug);
        await using var ours = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = [IPAddress.Loopback] }, loggerFactory: logs);
        var received = new ConcurrentQueue<byte>();
        ours.DataReceiver = d => received.Enqueue(d[0]);
        var ourCandidates = await GatherAsync(ours, cts.Token);
        var clock = Stopwatch.StartNew();

        var offer = ChromiumSdp.Write(ours.LocalCredentials.Ufrag, ours.LocalCredentials.Password, SdpSetup.ActPass);
        var answer = await page.EvaluateAsync<string>(
            "async ([sdp, timeoutMs]) => { " + CreatePcJs + " window.tRemote = performance.now();" +
            " await pc.setRemoteDescription({ type: 'offer', sdp }); await pc.setLocalDescription(await pc.createAnswer());" +
            " await (" + GatherCompleteJs + ")(pc, timeoutMs); return pc.localDescription.sdp; }",
            new object[] { offer, 10_000 });
        var (ufrag, pwd, chromiumCandidates) = ChromiumSdp.Read(answer);
        Assert.That(answer, Does.Contain("a=setup:active"), "Chromium answers as DTLS client");

        var ourStart = Stopwatch.GetTimestamp();
        ours.SetRemoteCredentials(new IceCredentials(ufrag, pwd));
        foreach (var c in chromiumCandidates)
        {
            ours.AddRemoteCandidate(c);
        }

        ours.SetRemoteEndOfCandidates();
        await page.EvaluateAsync(AddCandidatesJs, ourCandidates.Select(c => c.ToString()).ToArray());

        var ourState = await ours.WaitForStateAsync(s => s is IceConnectionState.Connected or IceConnectionState.Completed or IceConnectionState.Failed, cts.Token);
        var ourMs = Stopwatch.GetElapsedTime(ourStart).TotalMilliseconds;
        var (chromiumState, chromiumMs) = Split(await page.EvaluateAsync<string>(WaitConnectedJs, 20_000));
        TestContext.Out.WriteLine($"ICE ours(controlling)<->Chromium(controlled): ours remote-credentials->{ourState} {ourMs:F1} ms;" +
            $" Chromium setRemoteDescription->connected {chromiumMs} ms; whole exchange {clock.ElapsedMilliseconds} ms");

        Assert.That(ourState, Is.EqualTo(IceConnectionState.Connected).Or.EqualTo(IceConnectionState.Completed));
        Assert.That(chromiumState, Is.EqualTo("connected").Or.EqualTo("completed"));
        Assert.That(ours.SelectedPair, Is.Not.Null);

        // Chromium (DTLS client) sends its ClientHello over the pair we nominated: it must surface as application data.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!received.Contains((byte)22) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.That(received, Does.Contain((byte)22), "a DTLS handshake record arrived through the ICE data path");
    }

    [Test]
    public async Task ChromiumToChromium_TimeToIceConnected_IsMeasured()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var page = await ChromiumPage.LaunchAsync(cts.Token);

        var ms = await page.EvaluateAsync<double>("""
            async () => {
                const a = new RTCPeerConnection({ iceServers: [] }), b = new RTCPeerConnection({ iceServers: [] });
                a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate);
                b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate);
                const connected = pc => new Promise(resolve => {
                    const check = () => { if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') resolve(); };
                    pc.addEventListener('iceconnectionstatechange', check); check();
                });
                a.createDataChannel('ice');
                const t0 = performance.now();
                await a.setLocalDescription(await a.createOffer());
                await b.setRemoteDescription(a.localDescription);
                await b.setLocalDescription(await b.createAnswer());
                await a.setRemoteDescription(b.localDescription);
                await Promise.race([Promise.all([connected(a), connected(b)]), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 20000))]);
                const elapsed = performance.now() - t0;
                a.close(); b.close();
                return elapsed;
            }
            """);

        TestContext.Out.WriteLine($"ICE connected Chromium<->Chromium in {ms:F1} ms (createOffer to both connected)");
        Assert.That(ms, Is.GreaterThan(0));
    }

    private static (string State, string Milliseconds) Split(string result)
    {
        var bar = result.IndexOf('|', StringComparison.Ordinal);
        return (result[..bar], result[(bar + 1)..]);
    }

    private static async Task<List<IceCandidate>> GatherAsync(IceTransport transport, CancellationToken cancellationToken)
    {
        var candidates = new ConcurrentQueue<IceCandidate>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.CandidateGathered += c =>
        {
            if (c is null)
            {
                done.TrySetResult();
            }
            else
            {
                candidates.Enqueue(c);
            }
        };
        await transport.StartAsync(cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
        return [.. candidates];
    }
}
