using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Tests.Media;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// The typed W3C stats of <see cref="RTCPeerConnection.GetStats"/> below and beside the RTP streams (transport,
/// candidate-pair, local/remote-candidate, certificate, data-channel, media-source), between two of our connections on
/// the virtual network and the manual clock: every type present, ids that resolve, counters that moved.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionStatsTests
{
    private static readonly TimeSpan s_frameInterval = TimeSpan.FromMilliseconds(33);
    private static readonly TimeSpan s_oneWayDelay = TimeSpan.FromMilliseconds(10);

    [Test]
    public async Task GetStats_VideoAudioAndDataChannel_EveryTypePresentWithResolvingIdsAndMovingCounters()
    {
        const int Frames = 200; // 6.6 s: more than one consent check (every ~5 s)
        await using var pair = new VirtualPeerPair(seed: 57);
        pair.HostA.Uplink.Conditions = new LinkConditions { Delay = s_oneWayDelay };
        pair.HostB.Uplink.Conditions = new LinkConditions { Delay = s_oneWayDelay };
        var video = new EncodedFrameTrack(RTCRtpCodec.H264, "camera-video") { TimeProvider = pair.Time };
        var audio = new EncodedFrameTrack(RTCRtpCodec.Opus, "camera-audio") { TimeProvider = pair.Time };
        pair.A.AddTrack(video, "camera");
        pair.A.AddTrack(audio, "camera");
        var trackEvent = RTCPeerConnectionMediaTests.NextTrackAsync(pair.B, CancellationToken.None);
        var remoteChannelEvent = PeerPair.NextRemoteChannelAsync(pair.B, CancellationToken.None);
        var channel = pair.A.CreateDataChannel("chat", new RTCDataChannelInit { Protocol = "chat-v1" });
        await pair.NegotiateAsync(pair.A);
        await trackEvent.WaitAsync(VirtualPeerPair.SettleLimit);
        await pair.ConnectAsync(TimeSpan.FromSeconds(10));
        await pair.RunUntilAsync(() => channel.ReadyState == RTCDataChannelState.Open && pair.B.GetStats().DataChannelsOpen >= 1, TimeSpan.FromSeconds(5), "channel open");
        await remoteChannelEvent.WaitAsync(VirtualPeerPair.SettleLimit);

        long messageBytes = 0;
        for (var i = 0; i < Frames; i++)
        {
            var data = i == 0 ? SyntheticH264.KeyFrame(6000, 1) : SyntheticH264.Delta(800 + (i * 53 % 1500), 1 + i);
            await video.WriteFrameAsync(new EncodedFrame(data, s_frameInterval * i, i == 0));
            await audio.WriteFrameAsync(new EncodedFrame(OpusFrame(i), s_frameInterval * i, true));
            var message = $"message {i}";
            messageBytes += message.Length;
            channel.Send(message);
            await pair.RunForAsync(s_frameInterval);
        }

        await pair.RunForAsync(TimeSpan.FromSeconds(1));
        var a = pair.A.GetStats().Stats;
        var b = pair.B.GetStats().Stats;

        using (Assert.EnterMultipleScope())
        {
            foreach (var stats in new[] { a, b })
            {
                Assert.That(stats.Select(s => s.Id), Is.Unique);
                var types = stats.Select(s => s.Type).ToHashSet();
                Assert.That(types, Is.SupersetOf(new[]
                {
                    RTCStatsType.Transport, RTCStatsType.CandidatePair, RTCStatsType.LocalCandidate, RTCStatsType.RemoteCandidate,
                    RTCStatsType.Certificate, RTCStatsType.DataChannel, RTCStatsType.Codec,
                }));
                AssertIdsResolve(stats);
            }

            Assert.That(a.Select(s => s.Type), Has.Member(RTCStatsType.MediaSource).And.Member(RTCStatsType.OutboundRtp).And.Member(RTCStatsType.RemoteInboundRtp));
            Assert.That(b.Select(s => s.Type), Has.Member(RTCStatsType.InboundRtp).And.Member(RTCStatsType.RemoteOutboundRtp));

            // Transport: the traffic, the states, DTLS and SRTP parameters, both certificates.
            var transport = a.OfType<RTCTransportStats>().Single();
            Assert.That(transport.PacketsSent, Is.GreaterThan(2 * Frames));
            Assert.That(transport.PacketsReceived, Is.GreaterThan(10));
            Assert.That(transport.BytesSent, Is.GreaterThan(Frames * 800L));
            Assert.That(transport.BytesReceived, Is.GreaterThan(0));
            Assert.That(transport.BytesReceived, Is.EqualTo(b.OfType<RTCTransportStats>().Single().BytesSent), "the clean link delivered every datagram");
            Assert.That(transport.IceRole, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(transport.IceState, Is.AnyOf(RTCIceConnectionState.Connected, RTCIceConnectionState.Completed));
            Assert.That(transport.DtlsState, Is.EqualTo(RTCDtlsTransportState.Connected));
            Assert.That(transport.DtlsRole, Is.AnyOf("client", "server"));
            Assert.That(transport.TlsVersion, Is.EqualTo("FEFD"));
            Assert.That(transport.DtlsCipher, Does.StartWith("TLS_ECDHE_ECDSA_"));
            Assert.That(transport.SrtpCipher, Does.StartWith("SRTP_"));
            Assert.That(transport.SelectedCandidatePairChanges, Is.GreaterThanOrEqualTo(1));
            Assert.That(transport.IceLocalUsernameFragment, Is.Not.Empty);

            var certificates = a.OfType<RTCCertificateStats>().ToDictionary(c => c.Id);
            var local = certificates[transport.LocalCertificateId!];
            var remote = certificates[transport.RemoteCertificateId!];
            Assert.That($"{local.FingerprintAlgorithm} {local.Fingerprint}", Is.EqualTo(pair.A.LocalFingerprint));
            Assert.That($"{remote.FingerprintAlgorithm} {remote.Fingerprint}", Is.EqualTo(pair.B.LocalFingerprint));
            Assert.That(Convert.FromBase64String(local.Base64Certificate), Has.Length.GreaterThan(100));
            var transportB = b.OfType<RTCTransportStats>().Single();
            Assert.That(b.OfType<RTCCertificateStats>().Single(c => c.Id == transportB.RemoteCertificateId).Fingerprint, Is.EqualTo(local.Fingerprint));

            // The selected pair: its candidates, the traffic, round-trip times from STUN checks and consent.
            var pairs = a.OfType<RTCIceCandidatePairStats>().ToList();
            var selected = pairs.Single(p => p.Selected);
            Assert.That(transport.SelectedCandidatePairId, Is.EqualTo(selected.Id));
            Assert.That(selected.State, Is.EqualTo(RTCStatsIceCandidatePairState.Succeeded));
            Assert.That(selected.Nominated, Is.True);
            Assert.That(selected.PacketsSent, Is.EqualTo(transport.PacketsSent));
            Assert.That(selected.BytesReceived, Is.EqualTo(transport.BytesReceived));
            Assert.That(selected.RequestsSent, Is.GreaterThanOrEqualTo(2), "a check and at least one consent request");
            Assert.That(selected.ResponsesReceived, Is.GreaterThanOrEqualTo(2));
            Assert.That(selected.ResponsesReceived, Is.LessThanOrEqualTo(selected.RequestsSent));
            Assert.That(selected.CurrentRoundTripTime, Is.EqualTo(2 * s_oneWayDelay.TotalSeconds).Within(0.001));
            Assert.That(selected.TotalRoundTripTime / selected.ResponsesReceived, Is.EqualTo(2 * s_oneWayDelay.TotalSeconds).Within(0.001));
            Assert.That(selected.RequestsReceived + b.OfType<RTCIceCandidatePairStats>().Single(p => p.Selected).RequestsReceived, Is.GreaterThan(0));
            Assert.That(selected.AvailableOutgoingBitrate, Is.GreaterThan(0), "B's transport-wide feedback gave A an estimate");
            Assert.That(pairs.Where(p => !p.Selected).Select(p => p.BytesSent), Is.All.Zero);

            var localCandidate = a.OfType<RTCIceCandidateStats>().Single(c => c.Id == selected.LocalCandidateId);
            var remoteCandidate = a.OfType<RTCIceCandidateStats>().Single(c => c.Id == selected.RemoteCandidateId);
            Assert.That(localCandidate.Type, Is.EqualTo(RTCStatsType.LocalCandidate));
            Assert.That(remoteCandidate.Type, Is.EqualTo(RTCStatsType.RemoteCandidate));
            Assert.That(localCandidate.Address, Is.EqualTo(VirtualPeerPair.PublicA.ToString()));
            Assert.That(remoteCandidate.Address, Is.EqualTo(VirtualPeerPair.PublicB.ToString()));
            Assert.That(localCandidate.Port, Is.GreaterThan(0));
            Assert.That(localCandidate.CandidateType, Is.EqualTo(RTCIceCandidateType.Host));
            Assert.That(localCandidate.Protocol, Is.EqualTo(RTCIceProtocol.Udp));
            Assert.That(localCandidate.Priority, Is.GreaterThan(0));
            Assert.That(localCandidate.RelayProtocol, Is.Null);
            Assert.That(localCandidate.UsernameFragment, Is.EqualTo(transport.IceLocalUsernameFragment));
            var pairB = b.OfType<RTCIceCandidatePairStats>().Single(p => p.Selected);
            Assert.That(b.OfType<RTCIceCandidateStats>().Single(c => c.Id == pairB.RemoteCandidateId).Port, Is.EqualTo(localCandidate.Port));

            // Data channel: both ends counted every message.
            var channelA = a.OfType<RTCDataChannelStats>().Single();
            var channelB = b.OfType<RTCDataChannelStats>().Single();
            Assert.That(channelA.Label, Is.EqualTo("chat"));
            Assert.That(channelA.Protocol, Is.EqualTo("chat-v1"));
            Assert.That(channelA.DataChannelIdentifier, Is.EqualTo(channel.Id));
            Assert.That(channelB.DataChannelIdentifier, Is.EqualTo(channel.Id));
            Assert.That(channelA.State, Is.EqualTo(RTCDataChannelState.Open));
            Assert.That(channelA.MessagesSent, Is.EqualTo(Frames));
            Assert.That(channelA.BytesSent, Is.EqualTo(messageBytes));
            Assert.That(channelB.MessagesReceived, Is.EqualTo(Frames));
            Assert.That(channelB.BytesReceived, Is.EqualTo(messageBytes));
            Assert.That(channelA.MessagesReceived + channelB.MessagesSent, Is.Zero);

            // Media sources and the outbound streams that name them.
            var outbound = a.OfType<RTCOutboundRtpStreamStats>().ToDictionary(o => o.Kind);
            var sources = a.OfType<RTCMediaSourceStats>().ToDictionary(s => s.Id);
            var videoSource = sources[outbound[MediaStreamTrackKind.Video].MediaSourceId!];
            var audioSource = sources[outbound[MediaStreamTrackKind.Audio].MediaSourceId!];
            Assert.That(videoSource.TrackIdentifier, Is.EqualTo("camera-video"));
            Assert.That(videoSource.Kind, Is.EqualTo(MediaStreamTrackKind.Video));
            Assert.That(videoSource.Frames, Is.EqualTo(Frames));
            Assert.That(videoSource.FramesPerSecond, Is.EqualTo(1 / s_frameInterval.TotalSeconds).Within(0.5));
            Assert.That(audioSource.TrackIdentifier, Is.EqualTo("camera-audio"));
            Assert.That(audioSource.Kind, Is.EqualTo(MediaStreamTrackKind.Audio));
            Assert.That(audioSource.Frames, Is.Null);

            var videoOut = outbound[MediaStreamTrackKind.Video];
            Assert.That(videoOut.FramesEncoded, Is.EqualTo(Frames));
            Assert.That(videoOut.FramesSent, Is.EqualTo(Frames));
            Assert.That(videoOut.KeyFramesEncoded, Is.GreaterThanOrEqualTo(1));
            Assert.That(videoOut.TargetBitrate, Is.EqualTo(selected.AvailableOutgoingBitrate));
            Assert.That(outbound[MediaStreamTrackKind.Audio].FramesEncoded, Is.Null);
            Assert.That(outbound[MediaStreamTrackKind.Audio].PacketsSent, Is.EqualTo(Frames));
        }
    }

    // Every *Id of every object names an object of the same report (transportId, codecId, localCandidateId, ...).
    private static void AssertIdsResolve(IReadOnlyList<RTCStats> stats)
    {
        var ids = stats.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var s in stats)
        {
            foreach (var property in s.GetType().GetProperties().Where(p => p.Name.EndsWith("Id", StringComparison.Ordinal) && p.Name != nameof(RTCStats.Id)
                && p.PropertyType == typeof(string)))
            {
                if (property.GetValue(s) is string reference)
                {
                    Assert.That(ids, Has.Member(reference), $"{s.Type} {s.Id}: {property.Name}");
                }
            }
        }

        var transportId = stats.OfType<RTCTransportStats>().Single().Id;
        Assert.That(stats.OfType<RTCRtpStreamStats>().Select(s => s.TransportId), Is.All.EqualTo(transportId));
        Assert.That(stats.OfType<RTCIceCandidatePairStats>().Select(s => s.TransportId), Is.All.EqualTo(transportId));
        Assert.That(stats.OfType<RTCIceCandidateStats>().Select(s => s.TransportId), Is.All.EqualTo(transportId));
    }

    // An Opus TOC byte (config 11: SILK WB 20 ms, mono, code 0) and a payload.
    private static byte[] OpusFrame(int seed) => [0x58, .. Enumerable.Range(seed, 60).Select(i => (byte)i)];
}
