using System.Collections.Concurrent;
using System.Reactive.Linq;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// A malicious master toward a <see cref="ViewerSession"/>, scripted over the emulator's signaling: garbage candidates
/// before its answer, a real answer, then garbage offers, an unsolicited garbage answer, candidates for unknown
/// sections and a flood of binary data-channel messages. The viewer stays connected, keeps its data channel working, and
/// reports each bad input as a typed, logged error; nothing reaches the Error level.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class HostileMasterTests : SessionFixture
{
    private static readonly string[] s_garbageCandidates =
    [
        "candidate:garbage",
        "candidate:1 1 udp notanumber 127.0.0.1 5000 typ host",
        "candidate:1 1 udp 1 999.1.1.1 5000 typ host",
        "candidate:1 1 udp 1 127.0.0.1 70000 typ host",
        "candidate:" + new string('x', 2000),
        "\u00ff\u00fe not a candidate at all",
    ];

    /// <inheritdoc />
    protected override string ChannelPrefix => "hostile-master-";

    [Test]
    public async Task MaliciousMaster_GarbageSignalingAndAFlood_ViewerStaysUpAndLogsTypedErrors(CancellationToken cancellationToken)
    {
        using var capture = new CapturingLoggerProvider();
        await using var masterChannel = await KvsChannel.ConnectAsMasterAsync(ChannelOptions, cancellationToken);
        var signaling = masterChannel.Signaling;
        await using var pc = new RTCPeerConnection(Loopback);
        var channelAtMaster = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        var atMaster = new ConcurrentQueue<string>();
        pc.DataChannel += (_, e) =>
        {
            e.Channel.MessageReceived += (_, m) => atMaster.Enqueue(m.Text ?? "binary");
            channelAtMaster.TrySetResult(e.Channel);
        };
        string? viewerId = null;
        pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is { } c && viewerId is { } to)
            {
                _ = signaling.SendIceCandidateAsync(new IceCandidatePayload(c.Candidate, c.SdpMid, c.SdpMLineIndex, c.UsernameFragment), to);
            }
        };
        using var candidates = signaling.Messages.Where(m => m.IceCandidate is not null).Subscribe(m => _ = AddQuietlyAsync(pc, m.IceCandidate!));
        using var answering = signaling.Messages.Where(m => m.Type == SignalingMessageType.SdpOffer).Take(1)
            .Subscribe(m => _ = AnswerAfterGarbageAsync(signaling, pc, m, id => viewerId = id, cancellationToken));

        await using var viewer = await ViewerSession.ConnectAsync(
            new ViewerSessionOptions { Channel = CreateChannelOptions(o => o.LoggerFactory = capture), ClientId = "viewer-1", PeerConfiguration = Loopback }, cancellationToken);
        var remoteChannel = await channelAtMaster.Task.WaitAsync(WaitTimeout, cancellationToken);
        var binary = 0;
        using var counting = viewer.Messages.Subscribe(m =>
        {
            if (!m.IsText)
            {
                Interlocked.Increment(ref binary);
            }
        });

        // After the connect: a garbage re-offer, an unsolicited garbage answer, candidates for sections that do not exist, and a flood of random binary messages.
        await signaling.SendOfferAsync(SessionDescriptionPayload.Offer("v=0\r\nthis is not SDP\r\n"), viewerId, cancellationToken: cancellationToken);
        await signaling.SendAnswerAsync(SessionDescriptionPayload.Answer("garbage answer"), viewerId, cancellationToken: cancellationToken);
        await signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "no-such-mid", null), viewerId,
            cancellationToken: cancellationToken);
        await signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 1 127.0.0.1 5000 typ host", null, 99), viewerId,
            cancellationToken: cancellationToken);
        var random = new Random(15);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            await remoteChannel.SendAsync(bytes, cancellationToken);
        }

        await WaitUntilAsync(() => Volatile.Read(ref binary) == 500, cancellationToken);
        await WaitUntilAsync(() => capture.Entries.Any(e => e.EventId.Id == 9201) && capture.Entries.Any(e => e.EventId.Id == 9208), cancellationToken);
        await viewer.SendAsync("still here", cancellationToken);
        await WaitUntilAsync(() => atMaster.Contains("still here"), cancellationToken);

        var rejected = capture.Entries.Where(e => e.EventId.Id == 9001).Select(e => e.Message).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(viewer.PeerConnection.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
            Assert.That(viewer.PeerConnection.SignalingState, Is.EqualTo(RTCSignalingState.Stable), "the bad offers left no half-applied state");
            Assert.That(rejected.Count(m => m.Contains(nameof(WebRtcError.InvalidCandidate), StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(5),
                "each garbage candidate is refused with a typed error and logged: " + string.Join("\n", rejected));
            Assert.That(capture.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message), Is.Empty);
        });
    }

    [Test]
    public async Task MaliciousMaster_AnswersGarbage_ConnectFailsWithATypedError(CancellationToken cancellationToken)
    {
        await using var masterChannel = await KvsChannel.ConnectAsMasterAsync(ChannelOptions, cancellationToken);
        using var answering = masterChannel.Signaling.Messages.Where(m => m.Type == SignalingMessageType.SdpOffer).Take(1).Subscribe(m =>
            _ = masterChannel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer("v=0\r\ngarbage\r\n"), m.SenderClientId, cancellationToken: cancellationToken));

        var error = Assert.ThrowsAsync<WebRtcException>(() => ViewerSession.ConnectAsync(ViewerOptions("viewer-2"), cancellationToken));
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.InvalidSessionDescription));
    }

    private static async Task AnswerAfterGarbageAsync(SignalingClient signaling, RTCPeerConnection pc, SignalingMessage offer, Action<string> setViewer,
        CancellationToken cancellationToken)
    {
        var viewerId = offer.SenderClientId!;
        setViewer(viewerId);
        foreach (var garbage in s_garbageCandidates)
        {
            await signaling.SendIceCandidateAsync(new IceCandidatePayload(garbage, "0", 0), viewerId, cancellationToken: cancellationToken);
        }

        await pc.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, offer.SessionDescription!.Sdp), cancellationToken);
        var answer = await pc.CreateAnswerAsync(cancellationToken);
        await pc.SetLocalDescriptionAsync(answer, cancellationToken);
        await signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(answer.Sdp), viewerId, cancellationToken: cancellationToken);
    }

    private static async Task AddQuietlyAsync(RTCPeerConnection pc, IceCandidatePayload candidate)
    {
        for (var i = 0; i < 200 && pc.RemoteDescription is null; i++)
        {
            await Task.Delay(10);
        }

        try
        {
            await pc.AddIceCandidateAsync(new RTCIceCandidateInit(candidate.Candidate, candidate.SdpMid, candidate.SdpMLineIndex, candidate.UsernameFragment));
        }
        catch (WebRtcException)
        {
            // The test's master is not under test.
        }
    }
}
