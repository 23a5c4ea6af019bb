using System.Collections.Concurrent;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.PeerConnection.Turn;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>Relay-only ICE through a real coturn, with the TURN client (Turn/) as the relay factory.</summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class CoturnRelayIceInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task TwoOfOurAgents_RelayOnlyThroughCoturn_ConnectOnRelayCandidatesAndCarryData()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var coturn = await CoturnServer.StartAsync(cts.Token);
        var servers = IceServer.FromUrls([coturn.TurnUri()], CoturnServer.User, CoturnServer.Password).ToList();
        var factory = new TurnRelayFactory();
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, Policy = IceTransportPolicy.Relay, Servers = servers }, factory);
        await using var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, Policy = IceTransportPolicy.Relay, Servers = servers }, factory);
        var atB = new ConcurrentQueue<byte[]>();
        b.DataReceiver = d => atB.Enqueue(d.ToArray());
        Wire(a, b);
        Wire(b, a);

        await a.StartAsync(cts.Token);
        await b.StartAsync(cts.Token);
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);
        static bool Up(IceConnectionState s) => s is IceConnectionState.Connected or IceConnectionState.Completed or IceConnectionState.Failed;
        var states = await Task.WhenAll(a.WaitForStateAsync(Up, cts.Token), b.WaitForStateAsync(Up, cts.Token));

        Assert.That(states, Has.All.EqualTo(IceConnectionState.Connected).Or.EqualTo(IceConnectionState.Completed));
        Assert.That(a.SelectedPair!.Local.Type, Is.EqualTo(IceCandidateType.Relay));
        Assert.That(b.SelectedPair!.Local.Type, Is.EqualTo(IceCandidateType.Relay));
        byte[] payload = [23, 254, 253, 0, 1, 2, 3];
        await a.SendAsync(payload, cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (atB.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.That(atB.TryDequeue(out var got) ? got : null, Is.EqualTo(payload));
    }

    [Test]
    public async Task ChromiumOffers_OurAgentRelayOnlyThroughCoturn_BothReachConnected()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var coturn = await CoturnServer.StartAsync(cts.Token);
        await using var page = await ChromiumPage.LaunchAsync(cts.Token);
        var servers = IceServer.FromUrls([coturn.TurnUri()], CoturnServer.User, CoturnServer.Password).ToList();
        await using var ours = new IceTransport(
            new IceTransportOptions { Role = IceRole.Controlled, Policy = IceTransportPolicy.Relay, Servers = servers }, new TurnRelayFactory());
        var ourCandidates = new ConcurrentQueue<IceCandidate>();
        var gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ours.CandidateGathered += c =>
        {
            if (c is null)
            {
                gathered.TrySetResult();
            }
            else
            {
                ourCandidates.Enqueue(c);
            }
        };
        await ours.StartAsync(cts.Token);
        await gathered.Task.WaitAsync(cts.Token);
        Assert.That(ourCandidates.Select(c => c.Type), Is.EqualTo(new[] { IceCandidateType.Relay }));

        var offer = await page.EvaluateAsync<string>("""
            async () => {
                const pc = new RTCPeerConnection({ iceServers: [] }); window.pc = pc; pc.createDataChannel('ice');
                await pc.setLocalDescription(await pc.createOffer());
                await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 10000); });
                return pc.localDescription.sdp;
            }
            """);
        var (ufrag, pwd, chromiumCandidates) = ChromiumSdp.Read(offer);
        var answer = ChromiumSdp.Write(ours.LocalCredentials.Ufrag, ours.LocalCredentials.Password, SdpSetup.Active);
        await page.EvaluateAsync("async (sdp) => { await window.pc.setRemoteDescription({ type: 'answer', sdp }); }", answer);
        ours.SetRemoteCredentials(new IceCredentials(ufrag, pwd));
        foreach (var line in chromiumCandidates)
        {
            ours.AddRemoteCandidate(line);
        }

        ours.SetRemoteEndOfCandidates();
        await page.EvaluateAsync(
            "async (lines) => { for (const c of lines) await window.pc.addIceCandidate({ candidate: c, sdpMid: '0', sdpMLineIndex: 0 }); }",
            ourCandidates.Select(c => c.ToString()).ToArray());

        var ourState = await ours.WaitForStateAsync(s => s is IceConnectionState.Connected or IceConnectionState.Completed or IceConnectionState.Failed, cts.Token);
        var chromiumState = await page.EvaluateAsync<string>("""
            async () => {
                const pc = window.pc, ok = s => s === 'connected' || s === 'completed';
                if (ok(pc.iceConnectionState)) return pc.iceConnectionState;
                return await new Promise(r => { const t = setTimeout(() => r(pc.iceConnectionState), 20000);
                    pc.addEventListener('iceconnectionstatechange', () => { if (ok(pc.iceConnectionState) || pc.iceConnectionState === 'failed') { clearTimeout(t); r(pc.iceConnectionState); } }); });
            }
            """);

        Assert.That(ourState, Is.EqualTo(IceConnectionState.Connected).Or.EqualTo(IceConnectionState.Completed));
        Assert.That(chromiumState, Is.EqualTo("connected").Or.EqualTo("completed"));
        Assert.That(ours.SelectedPair!.Local.Type, Is.EqualTo(IceCandidateType.Relay));
    }

    private static void Wire(IceTransport from, IceTransport to) =>
        from.CandidateGathered += c =>
        {
            if (c is null)
            {
                to.SetRemoteEndOfCandidates();
            }
            else
            {
                to.AddRemoteCandidate(c);
            }
        };
}
