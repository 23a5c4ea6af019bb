using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sdp;

/// <summary>Typed accessors on real samples return the values written in the files.</summary>
[TestFixture]
public sealed class SdpSampleAccessorTests
{
    [Test]
    public void ChromiumAvOffer_TypedAccessors_ReturnFileValues()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));

        Assert.That(sdp.Origin, Is.EqualTo(new SdpOrigin("-", "8951135035905721671", 2, "IN", "IP4", "127.0.0.1")));
        Assert.That(sdp.SessionName, Is.EqualTo("-"));
        Assert.That(sdp.Timing, Is.EqualTo(new SdpTiming(0, 0)));
        Assert.That(sdp.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(sdp.MsidSemantic!.Semantic, Is.EqualTo("WMS"));
        Assert.That(sdp.MsidSemantic.Identifiers, Is.EqualTo(new[] { "61bbb239-49a5-494e-ad1e-3c9e6df12eff" }));
        Assert.That(sdp.HasAttribute("extmap-allow-mixed"), Is.True);
        Assert.That(sdp.Media.Select(m => m.Media), Is.EqualTo(new[] { "audio", "video", "application" }));
        Assert.That(sdp.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));

        var audio = sdp.Media[0];
        Assert.That(audio.Port, Is.EqualTo(44764));
        Assert.That(audio.Protocol, Is.EqualTo("UDP/TLS/RTP/SAVPF"));
        Assert.That(audio.PayloadTypes, Is.EqualTo(new[] { 111, 63, 9, 0, 8, 13, 110, 126 }));
        Assert.That(audio.IceUfrag, Is.EqualTo("u+9P"));
        Assert.That(audio.IcePwd, Is.EqualTo("unTZ6WnpapoUA6VWKQLcYpEw"));
        Assert.That(audio.IceOptions, Is.EqualTo(new[] { "trickle" }));
        Assert.That(audio.Fingerprints.Single(), Is.EqualTo(new SdpFingerprint("sha-256",
            "37:F2:82:E1:33:70:F1:9A:B5:AD:EF:22:04:02:01:87:BE:BD:2B:ED:A9:6C:D3:AB:C7:62:16:CE:CD:F0:00:26")));
        Assert.That(audio.Setup, Is.EqualTo(SdpSetup.ActPass));
        Assert.That(audio.Direction, Is.EqualTo(SdpDirection.SendRecv));
        Assert.That(audio.RtcpMux, Is.True);
        Assert.That(audio.Rtcp, Is.EqualTo(new SdpRtcp(9, new SdpConnection("IN", "IP4", "0.0.0.0"))));
        Assert.That(audio.GetRtpMap(111), Is.EqualTo(new SdpRtpMap(111, "opus", 48000, 2)));
        Assert.That(audio.GetFmtp(111)!.GetParameters()["useinbandfec"], Is.EqualTo("1"));
        Assert.That(audio.ExtMaps[0], Is.EqualTo(new SdpExtMap(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level")));
        Assert.That(audio.Msids.Single(), Is.EqualTo(new SdpMsid("61bbb239-49a5-494e-ad1e-3c9e6df12eff", "c3616124-cb09-42aa-889e-18325e09097e")));
        Assert.That(audio.Ssrcs[0], Is.EqualTo(new SdpSsrc(3256806714, "cname", "3sZkWkFSkjPsp/O6")));
        Assert.That(audio.Candidates, Has.Count.EqualTo(8));
        Assert.That(audio.Candidates[0], Is.EqualTo("3921461640 1 udp 2122194687 127.0.0.1 44764 typ host generation 0 network-id 3 network-cost 50"));
        Assert.That(audio.Connection!.Address, Is.EqualTo("127.0.0.1"));

        var video = sdp.Media[1];
        Assert.That(video.GetRtpMap(96), Is.EqualTo(new SdpRtpMap(96, "VP8", 90000)));
        Assert.That(video.GetFmtp(97)!.Parameters, Is.EqualTo("apt=96"));
        Assert.That(video.GetRtcpFeedbacks(96).Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}"),
            Is.EqualTo(new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" }));
        Assert.That(video.GetRtpMap(102)!.EncodingName, Is.EqualTo("H264"));
        Assert.That(video.GetFmtp(102)!.GetParameters()["profile-level-id"], Is.EqualTo("42001f"));
        Assert.That(video.RtcpRsize, Is.True);
        Assert.That(video.SsrcGroups.Single(), Is.EqualTo(new SdpSsrcGroup("FID", [1283345567u, 1871545949u])).Using<SdpSsrcGroup>(SameGroup));

        var data = sdp.Media[2];
        Assert.That(data.IsDataChannel, Is.True);
        Assert.That(data.Formats, Is.EqualTo(new[] { "webrtc-datachannel" }));
        Assert.That(data.SctpPort, Is.EqualTo(5000));
        Assert.That(data.MaxMessageSize, Is.EqualTo(262144UL));
        Assert.That(data.Port, Is.EqualTo(49643));
    }

    [Test]
    public void ChromiumAvAnswer_TypedAccessors_ReturnFileValues()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-av-answer.sdp"));

        Assert.That(sdp.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(sdp.Media.Select(m => m.IceUfrag).Distinct(), Is.EqualTo(new[] { "uIv7" }));
        Assert.That(sdp.Media.Select(m => m.Setup).Distinct(), Is.EqualTo(new SdpSetup?[] { SdpSetup.Active }));
        Assert.That(sdp.GetFingerprints(sdp.Media[2]).Single().Value,
            Is.EqualTo("8B:C5:01:6F:E5:D9:84:B4:27:85:00:0F:3E:BC:0E:05:8F:95:96:6C:C2:D5:A0:DD:EE:71:C5:B7:99:75:85:E8"));
        Assert.That(sdp.Media[1].SsrcGroups.Single().Ssrcs, Is.EqualTo(new[] { 848236643u, 1882778226u }));
        Assert.That(sdp.Media[0].GetRtpMap(111)!.Channels, Is.EqualTo(2));
        Assert.That(sdp.Media[2].SctpPort, Is.EqualTo(5000));
    }

    [Test]
    public void ChromiumDataChannelOfferAndAnswer_TypedAccessors_ReturnFileValues()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-datachannel-offer.sdp"));
        var answer = SessionDescription.Parse(SdpSamples.Load("chromium-datachannel-answer.sdp"));

        Assert.That(offer.Media.Single().IceUfrag, Is.EqualTo("aszE"));
        Assert.That(offer.Media.Single().IcePwd, Is.EqualTo("s7HiRUmG9/uQlYnXVyjABjC7"));
        Assert.That(offer.Media.Single().Setup, Is.EqualTo(SdpSetup.ActPass));
        Assert.That(offer.Media.Single().Candidates, Has.Count.EqualTo(8));
        Assert.That(offer.Media.Single().Fingerprints.Single().GetBytes()[0], Is.EqualTo(0x63));
        Assert.That(offer.MsidSemantic!.Identifiers, Is.Empty);
        Assert.That(answer.Media.Single().IceUfrag, Is.EqualTo("/pb/"));
        Assert.That(answer.Media.Single().Setup, Is.EqualTo(SdpSetup.Active));
        Assert.That(answer.Media.Single().Mid, Is.EqualTo("0"));
        Assert.That(answer.Media.Single().Candidates[0], Does.StartWith("1394312108 1 udp 2122194687 127.0.0.1 43259 typ host"));
    }

    [Test]
    public void ChromiumSimulcastOffer_RidAndSimulcast_AreKeptAsGenericAttributes()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-simulcast-offer.sdp"));
        var video = sdp.Media[0];

        Assert.That(video.Direction, Is.EqualTo(SdpDirection.SendOnly));
        Assert.That(sdp.Media[1].Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(video.GetAttributes("rid"), Is.EqualTo(new[] { "h send", "m send", "l send" }));
        Assert.That(video.GetAttribute("simulcast"), Is.EqualTo("send h;m;l"));
        Assert.That(video.ExtMaps.Single(e => e.Id == 10).Uri, Is.EqualTo("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
        Assert.That(video.IceUfrag, Is.EqualTo("W4B1"));
        Assert.That(video.Candidates, Is.Empty);
    }

    [Test]
    public void FirefoxDataChannelOffer_TypedAccessors_UseSessionLevelFingerprint()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("firefox-datachannel-offer.sdp"));
        var data = sdp.Media.Single();

        Assert.That(sdp.Origin!.Username, Is.EqualTo("mozilla...THIS_IS_SDPARTA-99.0"));
        Assert.That(sdp.MsidSemantic, Is.EqualTo(new SdpMsidSemantic("WMS", ["*"])).Using<SdpMsidSemantic>((a, b) => a.Semantic == b.Semantic && a.Identifiers.SequenceEqual(b.Identifiers)));
        Assert.That(data.Fingerprints, Is.Empty);
        Assert.That(sdp.GetFingerprints(data).Single().Value, Does.StartWith("D7:26:AD:08"));
        Assert.That(sdp.GetIceOptions(data), Is.EqualTo(new[] { "trickle" }));
        Assert.That(data.IceUfrag, Is.EqualTo("5d2fc6c4"));
        Assert.That(data.IcePwd, Is.EqualTo("c4951a693666c544a590efd4a155da5b"));
        Assert.That(data.MaxMessageSize, Is.EqualTo(1073741823UL));
        Assert.That(data.EndOfCandidates, Is.True);
        Assert.That(data.Candidates, Has.Count.EqualTo(6));
        Assert.That(data.Candidates[1], Is.EqualTo("3 1 TCP 2105524479 65f3253a-de86-44d6-aaa7-5f63d65e1029.local 9 typ host tcptype active"));
        Assert.That(sdp.Direction, Is.EqualTo(SdpDirection.SendRecv));
        Assert.That(data.Connection, Is.EqualTo(new SdpConnection("IN", "IP4", "216.39.253.10")));
    }

    [Test]
    public void FirefoxDataChannelAnswer_TypedAccessors_ReturnFileValues()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("firefox-datachannel-answer.sdp"));
        var data = sdp.Media.Single();

        Assert.That(data.IceUfrag, Is.EqualTo("e726db63"));
        Assert.That(sdp.GetSetup(data), Is.EqualTo(SdpSetup.Active));
        Assert.That(sdp.GetFingerprints(data).Single().HashFunction, Is.EqualTo("sha-256"));
        Assert.That(data.Port, Is.EqualTo(9));
    }

    [Test]
    public void FirefoxAvOffer_TypedAccessors_IncludeExtmapDirectionsAndRecvOnly()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("firefox-av-recvonly-offer.sdp"));
        var audio = sdp.Media[0];
        var video = sdp.Media[1];

        Assert.That(sdp.LineEnding, Is.EqualTo("\n"));
        Assert.That(audio.Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(sdp.GetDirection(video), Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(audio.ExtMaps[1], Is.EqualTo(new SdpExtMap(2, "urn:ietf:params:rtp-hdrext:csrc-audio-level", SdpDirection.RecvOnly)));
        Assert.That(video.ExtMaps.Single(e => e.Id == 6).Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(audio.GetRtpMap(101), Is.EqualTo(new SdpRtpMap(101, "telephone-event", 8000, 1)));
        Assert.That(audio.GetFmtp(101)!.Parameters, Is.EqualTo("0-15"));
        Assert.That(audio.GetRtpMap(109)!.EncodingName, Is.EqualTo("opus"));
        Assert.That(audio.Ssrcs.Single().Value, Is.EqualTo("{dbe7571e-d4ba-40ad-a6c1-052ba561bb9c}"));
        Assert.That(video.PayloadTypes, Is.EqualTo(new[] { 120, 124, 121, 125, 126, 127, 97, 98, 123, 122, 119 }));
        Assert.That(video.GetRtcpFeedbacks(122), Has.Count.EqualTo(5));
        Assert.That(video.IceUfrag, Is.EqualTo("145f5126"));
        Assert.That(sdp.GetFingerprints(video).Single().Value, Does.StartWith("8C:A3:64"));
    }

    [Test]
    public void KvsSafariOffer_TypedAccessors_ReturnFileValues()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("kvs-c-sdk-safari-mac-offer.sdp"));

        Assert.That(sdp.Media.Select(m => m.Media), Is.EqualTo(new[] { "video", "audio", "application" }));
        Assert.That(sdp.Media[0].IceUfrag, Is.EqualTo("tPim"));
        Assert.That(sdp.Media[0].GetFmtp(96)!.GetParameters()["profile-level-id"], Is.EqualTo("640c1f"));
        Assert.That(sdp.Media[0].Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(sdp.Media[0].ExtMaps.Select(e => e.Id).First(), Is.EqualTo(14));
        Assert.That(sdp.Media[1].Msids.Single(), Is.EqualTo(new SdpMsid("-", "53a91694-a120-4a65-96be-f164d2695455")));
        Assert.That(sdp.Media[1].Ssrcs.Select(s => s.Attribute), Is.EqualTo(new[] { "cname", "msid", "mslabel", "label" }));
        Assert.That(sdp.Media[1].Ssrcs[0].Ssrc, Is.EqualTo(2805193976u));
        Assert.That(sdp.Media[2].SctpPort, Is.EqualTo(5000));
    }

    [Test]
    public void KvsLegacyOffer_TypedAccessors_ReadSctpmapAndSessionFingerprint()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("kvs-c-sdk-legacy-datachannel-offer.sdp"));
        var data = sdp.Media[0];

        Assert.That(data.Protocol, Is.EqualTo("DTLS/SCTP"));
        Assert.That(data.IsDataChannel, Is.True);
        Assert.That(data.Formats, Is.EqualTo(new[] { "5000" }));
        Assert.That(data.SctpMap, Is.EqualTo(new SdpSctpMap(5000, "webrtc-datachannel", 1024)));
        Assert.That(data.SctpPort, Is.EqualTo(5000));
        Assert.That(data.IceUfrag, Is.EqualTo("WWlXtoHfeAVCwqHc"));
        Assert.That(sdp.GetFingerprints(data).Single().Value, Does.StartWith("87:E6:EC:59"));
        Assert.That(sdp.IceOptions, Is.EqualTo(new[] { "trickle" }));
        Assert.That(data.Candidates, Has.Count.EqualTo(4));
        Assert.That(data.EndOfCandidates, Is.True);
        Assert.That(sdp.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "1" }));
        Assert.That(sdp.FindMedia("1"), Is.SameAs(sdp.Media[1]));
    }

    [Test]
    public void KvsAudioAnswerStyle_TypedAccessors_ReturnFileValues()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("kvs-c-sdk-audio-answer-style.sdp"));
        var audio = sdp.Media[0];

        Assert.That(audio.Setup, Is.EqualTo(SdpSetup.Active));
        Assert.That(audio.IceUfrag, Is.EqualTo("10Po"));
        Assert.That(audio.Msids.Single(), Is.EqualTo(new SdpMsid("myKvsVideoStream", "myAudioTrack")));
        Assert.That(audio.Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(new[] { 1743019002u }));
        Assert.That(audio.RtcpFeedbacks.Single(), Is.EqualTo(new SdpRtcpFeedback(111, "nack")));
        Assert.That(audio.Connection!.Address, Is.EqualTo("127.0.0.1"));
        Assert.That(sdp.Media[1].Direction, Is.EqualTo(SdpDirection.RecvOnly));
    }

    private static bool SameGroup(SdpSsrcGroup a, SdpSsrcGroup b) => a.Semantics == b.Semantics && a.Ssrcs.SequenceEqual(b.Ssrcs);
}
