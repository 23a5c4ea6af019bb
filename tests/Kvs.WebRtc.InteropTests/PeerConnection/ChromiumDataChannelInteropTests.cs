using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.PeerConnection;

/// <summary>Our RTCPeerConnection against Chromium's (libwebrtc) on 127.0.0.1, in both roles: DTLS, SCTP, DCEP, data.</summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class ChromiumDataChannelInteropTests
{
    private static readonly RTCConfiguration s_configuration = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };
    private static readonly int[] s_sizes = [0, 1, 1200, 16_384, 65_536, 262_144];

    [Test]
    public async Task ChromiumOffers_WeAnswer_InBandOrderedUnorderedAndNegotiated_EchoTextAndBinaryUpTo256KiB()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(s_configuration);
        var remote = ChromiumEchoPage.CollectRemoteChannels(ours, ct);
        var negotiated = ours.CreateDataChannel("neg", new RTCDataChannelInit { Negotiated = true, Id = 5 });

        await chromium.ChromiumOffersAsync(ours,
            "wire(pc.createDataChannel('ordered')); wire(pc.createDataChannel('unordered', { ordered: false }));" +
            " wire(pc.createDataChannel('neg', { negotiated: true, id: 5 }));", ct);

        var ordered = await remote("ordered");
        var unordered = await remote("unordered");
        await PeerConnectionWaits.WaitOpenAsync(ordered, ct);
        await PeerConnectionWaits.WaitOpenAsync(unordered, ct);
        await PeerConnectionWaits.WaitOpenAsync(negotiated, ct);
        Assert.That(ordered.Ordered, Is.True);
        Assert.That(unordered.Ordered, Is.False);
        // Chromium updates connectionState asynchronously (its ICE nomination can settle after DTLS): wait, bounded.
        Assert.That(await ChromiumMediaPeer.WaitForAsync(_ => chromium.ConnectionStateAsync(), s => s == "connected/connected",
            TimeSpan.FromSeconds(10), "Chromium connected", cancellationToken: ct), Is.EqualTo("connected/connected"));
        Assert.That(ours.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));

        foreach (var channel in new[] { ordered, unordered, negotiated })
        {
            await AssertEchoesAsync(chromium, channel, ct);
        }
    }

    [Test]
    public async Task ChromiumOffersAudioAv1VideoAndData_WeAcceptAudioRejectAv1_DataChannelWorks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(s_configuration);
        var remote = ChromiumEchoPage.CollectRemoteChannels(ours, ct);

        // The shape of a KVS viewer offer (receive-only audio and video plus a data channel), with the video restricted
        // to AV1, which this stack does not support: that section must be rejected, the rest must work.
        await chromium.ChromiumOffersAsync(ours,
            "pc.addTransceiver('audio', { direction: 'recvonly' }); " +
            "const v = pc.addTransceiver('video', { direction: 'recvonly' }); " +
            "v.setCodecPreferences(RTCRtpReceiver.getCapabilities('video').codecs.filter(c => c.mimeType === 'video/AV1')); " +
            "wire(pc.createDataChannel('kvs'));", ct);
        Assert.That(ours.LocalDescription!.Sdp, Does.Contain("m=audio 9 ").And.Contain("m=video 0 "));
        var channel = await remote("kvs");
        await PeerConnectionWaits.WaitOpenAsync(channel, ct);
        var echo = await chromium.EchoAsync(channel, "data beside rejected media", ct);
        Assert.That(echo.Text, Is.EqualTo("data beside rejected media"));
        // The rejected (port 0) video section stops its transceiver (Chromium may drop it from the list); the audio one is
        // negotiated, inactive because nobody sends.
        Assert.That(await page.EvaluateAsync<string[]>(
            "() => window.pc.getTransceivers().filter(t => t.currentDirection !== 'stopped').map(t => t.receiver.track.kind + ':' + t.currentDirection)"),
            Is.EqualTo(new[] { "audio:inactive" }));
    }

    [Test]
    public async Task WeOffer_ChromiumAnswers_ChannelsFromBothSides_EchoTextAndBinary()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(s_configuration);
        var remote = ChromiumEchoPage.CollectRemoteChannels(ours, ct);
        var ordered = ours.CreateDataChannel("ours-ordered");
        var unordered = ours.CreateDataChannel("ours-unordered", new RTCDataChannelInit { Ordered = false });
        var negotiated = ours.CreateDataChannel("neg", new RTCDataChannelInit { Negotiated = true, Id = 6 });

        await chromium.WeOfferAsync(ours, "wire(pc.createDataChannel('neg', { negotiated: true, id: 6 }));", ct);
        await PeerConnectionWaits.WaitOpenAsync(ordered, ct);
        await PeerConnectionWaits.WaitOpenAsync(unordered, ct);
        await PeerConnectionWaits.WaitOpenAsync(negotiated, ct);
        Assert.That(await chromium.WaitLogAsync("open:ours-ordered"), Is.True);
        Assert.That(await chromium.WaitLogAsync("open:ours-unordered"), Is.True);
        // Chromium updates connectionState asynchronously (its ICE nomination can settle after DTLS): wait, bounded.
        Assert.That(await ChromiumMediaPeer.WaitForAsync(_ => chromium.ConnectionStateAsync(), s => s == "connected/connected",
            TimeSpan.FromSeconds(10), "Chromium connected", cancellationToken: ct), Is.EqualTo("connected/connected"));
        Assert.That(ours.GetStats().DtlsRole, Is.EqualTo("server"), "Chromium answers setup:active");

        foreach (var channel in new[] { ordered, unordered, negotiated })
        {
            await AssertEchoesAsync(chromium, channel, ct);
        }

        // A channel Chromium opens once connected.
        await page.EvaluateAsync("() => window.wire(window.pc.createDataChannel('from-chromium'))");
        var fromChromium = await remote("from-chromium");
        await PeerConnectionWaits.WaitOpenAsync(fromChromium, ct);
        Assert.That(await chromium.WaitLogAsync("open:from-chromium"), Is.True, "Chromium's own channel opens");
        var echo = await chromium.EchoAsync(fromChromium, "hello chromium", ct);
        Assert.That(echo.Text, Is.EqualTo("hello chromium"));
    }

    [Test]
    public async Task TrickleIce_WeOfferBeforeGathering_CandidatesExchangedBothWays_ChannelOpens()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await page.EvaluateAsync("() => { window.cands = []; window.pc.onicecandidate = e => window.cands.push(e.candidate ? e.candidate.toJSON() : null); }");
        await using var ours = new RTCPeerConnection(s_configuration);
        var channel = ours.CreateDataChannel("trickle");
        var ourCandidates = System.Threading.Channels.Channel.CreateUnbounded<RTCIceCandidateInit?>();
        ours.IceCandidate += (_, e) => ourCandidates.Writer.TryWrite(e.Candidate);

        // Offer without candidates (sent at once), answer likewise; candidates follow on their own.
        var offer = await ours.CreateOfferAsync(ct);
        await ours.SetLocalDescriptionAsync(offer, ct);
        var answer = await page.EvaluateAsync<string>(
            "async (sdp) => { await window.pc.setRemoteDescription({ type: 'offer', sdp }); await window.pc.setLocalDescription(); return window.pc.localDescription.sdp; }", offer.Sdp);
        await ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer), ct);
        var forwardOurs = Task.Run(async () =>
        {
            await foreach (var candidate in ourCandidates.Reader.ReadAllAsync(ct))
            {
                await page.EvaluateAsync("(c) => window.pc.addIceCandidate(c)", candidate is null
                    ? new { candidate = string.Empty, sdpMid = "0", sdpMLineIndex = 0 }
                    : new { candidate = candidate.Candidate, sdpMid = candidate.SdpMid ?? "0", sdpMLineIndex = candidate.SdpMLineIndex ?? 0 });
                if (candidate is null)
                {
                    return;
                }
            }
        }, ct);

        var forwarded = 0;
        var opened = PeerConnectionWaits.WaitOpenAsync(channel, ct);
        while (!opened.IsCompleted)
        {
            var batch = await page.EvaluateAsync<System.Text.Json.JsonElement>("() => window.cands.splice(0)");
            foreach (var c in batch.EnumerateArray())
            {
                if (c.ValueKind == System.Text.Json.JsonValueKind.Null)
                {
                    await ours.AddIceCandidateAsync(new RTCIceCandidateInit(string.Empty, "0", 0), ct);
                    continue;
                }

                await ours.AddIceCandidateAsync(new RTCIceCandidateInit(
                    c.GetProperty("candidate").GetString()!, c.GetProperty("sdpMid").GetString(), c.GetProperty("sdpMLineIndex").GetInt32(),
                    c.TryGetProperty("usernameFragment", out var u) ? u.GetString() : null), ct);
                forwarded++;
            }

            await Task.WhenAny(opened, Task.Delay(20, ct));
        }

        await opened;
        await forwardOurs.WaitAsync(ct);
        Assert.That(offer.Sdp, Does.Not.Contain("a=candidate"), "the offer left before any candidate was gathered");
        Assert.That(forwarded + await page.EvaluateAsync<int>("() => window.pc.getStats().then(s => [...s.values()].filter(v => v.type === 'remote-candidate').length)"), Is.GreaterThan(0));
        var echo = await chromium.EchoAsync(channel, "trickled", ct);
        Assert.That(echo.Text, Is.EqualTo("trickled"));
    }

    [Test]
    public async Task TenThousandMessages_EchoedByChromium_ArriveIntactAndInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(s_configuration);
        var channel = ours.CreateDataChannel("bulk");
        await chromium.WeOfferAsync(ours, string.Empty, ct);
        await PeerConnectionWaits.WaitOpenAsync(channel, ct);

        const int count = 10_000;
        var received = new List<int>(count);
        var corrupt = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.MessageReceived += (_, e) =>
        {
            var span = e.Data.Span;
            var index = BitConverter.ToInt32(span);
            for (var i = 4; i < span.Length; i++)
            {
                if (span[i] != (byte)(index ^ i))
                {
                    corrupt++;
                    break;
                }
            }

            received.Add(index);
            if (received.Count == count)
            {
                done.TrySetResult();
            }
        };

        for (var i = 0; i < count; i++)
        {
            var payload = new byte[16 + (i % 500)];
            BitConverter.TryWriteBytes(payload, i);
            for (var j = 4; j < payload.Length; j++)
            {
                payload[j] = (byte)(i ^ j);
            }

            await channel.SendAsync(payload, ct);
        }

        await done.Task.WaitAsync(ct);
        Assert.That(corrupt, Is.Zero);
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ChannelClosedFromEitherSide_ClosesOnBoth_AndASecondChannelWorks(bool weClose)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        await using var page = await ChromiumPage.LaunchAsync(ct);
        var chromium = await ChromiumEchoPage.CreateAsync(page);
        await using var ours = new RTCPeerConnection(s_configuration);
        var first = ours.CreateDataChannel("first");
        await chromium.WeOfferAsync(ours, string.Empty, ct);
        await PeerConnectionWaits.WaitOpenAsync(first, ct);
        Assert.That(await chromium.WaitLogAsync("open:first"), Is.True);

        var closed = PeerConnectionWaits.WaitClosedAsync(first, ct);
        if (weClose)
        {
            first.Close();
        }
        else
        {
            await page.EvaluateAsync("() => window.chans['first'].close()");
        }

        await closed;
        Assert.That(await chromium.WaitLogAsync("close:first"), Is.True, "Chromium saw the close");

        var second = ours.CreateDataChannel("second");
        await PeerConnectionWaits.WaitOpenAsync(second, ct);
        var echo = await chromium.EchoAsync(second, "second works", ct);
        Assert.That(echo.Text, Is.EqualTo("second works"));
    }

    private static async Task AssertEchoesAsync(ChromiumEchoPage chromium, RTCDataChannel channel, CancellationToken ct)
    {
        var random = new Random(7);
        foreach (var size in s_sizes)
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var binary = await chromium.EchoAsync(channel, bytes, ct);
            Assert.That(binary.Type, Is.EqualTo(RTCDataChannelMessageType.Binary), $"{channel.Label} binary {size}");
            Assert.That(binary.Data.ToArray(), Is.EqualTo(bytes), $"{channel.Label} binary {size}");

            var text = new string('ü', size / 2);
            var echoed = await chromium.EchoAsync(channel, text, ct);
            Assert.That(echoed.Type, Is.EqualTo(RTCDataChannelMessageType.Text), $"{channel.Label} text {size}");
            Assert.That(echoed.Text, Is.EqualTo(text), $"{channel.Label} text {size}");
        }
    }
}
