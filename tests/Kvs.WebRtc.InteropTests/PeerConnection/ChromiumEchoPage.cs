using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;

namespace Kvs.WebRtc.InteropTests.PeerConnection;

/// <summary>
/// A Chromium RTCPeerConnection in a page whose data channels echo every message back (text as text, binary as
/// binary), with helpers to negotiate it against one of our <see cref="RTCPeerConnection"/>s (full SDP, candidates
/// inside it, after gathering completed on both sides).
/// </summary>
internal sealed class ChromiumEchoPage
{
    private const string InstallJs = """
        () => {
            window.log = [];
            window.chans = {};
            window.wire = ch => {
                ch.binaryType = 'arraybuffer';
                window.chans[ch.label] = ch;
                ch.onopen = () => window.log.push('open:' + ch.label);
                ch.onmessage = e => { try { ch.send(e.data); } catch (err) { window.log.push('senderr:' + err); } };
                ch.onclose = () => window.log.push('close:' + ch.label);
                if (ch.readyState === 'open') window.log.push('open:' + ch.label);
            };
            const pc = new RTCPeerConnection({ iceServers: [] });
            window.pc = pc;
            pc.ondatachannel = e => window.wire(e.channel);
            window.gathered = () => new Promise(resolve => {
                if (pc.iceGatheringState === 'complete') { resolve(); return; }
                const timer = setTimeout(resolve, 10000);
                pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); } });
            });
            window.waitLog = (entry, ms) => new Promise(resolve => {
                const t0 = Date.now();
                const tick = () => { if (window.log.includes(entry)) resolve(true); else if (Date.now() - t0 > ms) resolve(false); else setTimeout(tick, 10); };
                tick();
            });
        }
        """;

    private ChromiumEchoPage(ChromiumPage page) => Page = page;

    public ChromiumPage Page { get; }

    public static async Task<ChromiumEchoPage> CreateAsync(ChromiumPage page)
    {
        await page.EvaluateAsync(InstallJs);
        return new ChromiumEchoPage(page);
    }

    /// <summary>Chromium runs <paramref name="createChannelsJs"/> (with <c>pc</c> and <c>wire</c> in scope), offers; we answer.</summary>
    public async Task ChromiumOffersAsync(RTCPeerConnection ours, string createChannelsJs, CancellationToken ct)
    {
        var offer = await Page.EvaluateAsync<string>(
            "async () => { const pc = window.pc; const wire = window.wire; " + createChannelsJs +
            " await pc.setLocalDescription(await pc.createOffer()); await window.gathered(); return pc.localDescription.sdp; }");
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer), ct);
        var gathered = WaitGatheredAsync(ours, ct);
        await ours.SetLocalDescriptionAsync(await ours.CreateAnswerAsync(ct), ct);
        await gathered;
        await Page.EvaluateAsync("async (sdp) => { await window.pc.setRemoteDescription({ type: 'answer', sdp }); }", ours.LocalDescription!.Sdp);
    }

    /// <summary>We offer; Chromium runs <paramref name="beforeAnswerJs"/> and answers.</summary>
    public async Task WeOfferAsync(RTCPeerConnection ours, string beforeAnswerJs, CancellationToken ct)
    {
        var gathered = WaitGatheredAsync(ours, ct);
        await ours.SetLocalDescriptionAsync(await ours.CreateOfferAsync(ct), ct);
        await gathered;
        var answer = await Page.EvaluateAsync<string>(
            "async (sdp) => { const pc = window.pc; const wire = window.wire; " + beforeAnswerJs +
            " await pc.setRemoteDescription({ type: 'offer', sdp }); await pc.setLocalDescription(await pc.createAnswer());" +
            " await window.gathered(); return pc.localDescription.sdp; }",
            ours.LocalDescription!.Sdp);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), ct);
    }

    public Task<bool> WaitLogAsync(string entry, int milliseconds = 15000) =>
        Page.EvaluateAsync<bool>("([entry, ms]) => window.waitLog(entry, ms)", new object[] { entry, milliseconds });

    public Task<string> ConnectionStateAsync() => Page.EvaluateAsync<string>("() => window.pc.connectionState + '/' + (window.pc.sctp ? window.pc.sctp.transport.state : 'none')");

    public static Task WaitGatheredAsync(RTCPeerConnection pc, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.IceGatheringStateChanged += (_, _) =>
        {
            if (pc.IceGatheringState == RTCIceGatheringState.Complete)
            {
                tcs.TrySetResult();
            }
        };
        if (pc.IceGatheringState == RTCIceGatheringState.Complete)
        {
            tcs.TrySetResult();
        }

        return tcs.Task.WaitAsync(ct);
    }

    /// <summary>Collects the channels the peer announces, by label.</summary>
    public static Func<string, Task<RTCDataChannel>> CollectRemoteChannels(RTCPeerConnection pc, CancellationToken ct)
    {
        var waiters = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<RTCDataChannel>>();
        TaskCompletionSource<RTCDataChannel> Get(string label) => waiters.GetOrAdd(label, _ => new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously));
        pc.DataChannel += (_, e) => Get(e.Channel.Label).TrySetResult(e.Channel);
        return label => Get(label).Task.WaitAsync(ct);
    }

    /// <summary>
    /// Sends one message and waits (15 s at most) for its echo; on time-out the failure says what both sides saw: the
    /// page's channel log and states, our channel's state and buffered amount, and our peer connection's SCTP counters.
    /// </summary>
    public async Task<RTCDataChannelMessageEventArgs> EchoAsync(RTCDataChannel channel, object payload, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            return await SendAndAwaitEchoAsync(channel, payload, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var page = await Page.EvaluateAsync<string>(
                "() => JSON.stringify({ log: window.log, chans: Object.fromEntries(Object.entries(window.chans).map(([k, c]) => [k, c.readyState + '#' + c.id])), " +
                "pc: window.pc.connectionState, sctp: window.pc.sctp ? window.pc.sctp.state : null })");
            throw new TimeoutException($"No echo within 15 s on '{channel.Label}' (id {channel.Id}, {channel.ReadyState}, bufferedAmount {channel.BufferedAmount}); page: {page}");
        }
    }

    /// <summary>Sends one message and waits for its echo.</summary>
    private static async Task<RTCDataChannelMessageEventArgs> SendAndAwaitEchoAsync(RTCDataChannel channel, object payload, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<RTCDataChannelMessageEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<RTCDataChannelMessageEventArgs>? handler = null;
        handler = (_, e) =>
        {
            channel.MessageReceived -= handler;
            tcs.TrySetResult(e);
        };
        channel.MessageReceived += handler;
        if (payload is string text)
        {
            channel.Send(text);
        }
        else
        {
            channel.Send((byte[])payload);
        }

        return await tcs.Task.WaitAsync(ct);
    }
}
