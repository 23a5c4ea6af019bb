using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sdp;

[TestFixture]
public sealed class WebRtcSdpTests
{
    private static readonly SdpFingerprint s_fingerprint = SdpFingerprint.FromBytes("sha-256", Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    private static SdpTransportParameters Transport(SdpSetup setup = SdpSetup.ActPass) =>
        new("Ab1+", "pwd0123456789abcdefghij", [s_fingerprint], setup);

    [Test]
    public void CreateDataChannelOffer_WritesTheChromiumShapedOffer()
    {
        var offer = WebRtcSdp.CreateDataChannelOffer(Transport(), sessionId: 4611686018427387904);

        var expected = string.Join("\r\n",
            "v=0",
            "o=- 4611686018427387904 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=msid-semantic: WMS",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
            "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:Ab1+",
            "a=ice-pwd:pwd0123456789abcdefghij",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 " + s_fingerprint.Value,
            "a=setup:actpass",
            "a=mid:0",
            "a=sctp-port:5000",
            "a=max-message-size:262144",
            string.Empty);
        Assert.That(offer.ToSdpString(), Is.EqualTo(expected));
    }

    [Test]
    public void CreateDataChannelOffer_ParsesBackToTheSameValues()
    {
        var text = WebRtcSdp.CreateDataChannelOffer(Transport(), 1, mid: "data", sctpPort: 5001, maxMessageSize: 65536).ToSdpString();

        var sdp = SessionDescription.Parse(text);
        var data = sdp.Media.Single();

        Assert.That(sdp.BundleGroup!.Mids, Is.EqualTo(new[] { "data" }));
        Assert.That(data.IsDataChannel, Is.True);
        Assert.That(data.Mid, Is.EqualTo("data"));
        Assert.That(data.IceUfrag, Is.EqualTo("Ab1+"));
        Assert.That(data.IcePwd, Is.EqualTo("pwd0123456789abcdefghij"));
        Assert.That(data.Fingerprints.Single().GetBytes(), Is.EqualTo(s_fingerprint.GetBytes()));
        Assert.That(data.Setup, Is.EqualTo(SdpSetup.ActPass));
        Assert.That(data.SctpPort, Is.EqualTo(5001));
        Assert.That(data.MaxMessageSize, Is.EqualTo(65536UL));
        Assert.That(data.IceOptions, Is.EqualTo(new[] { "trickle" }));
    }

    [Test]
    public void CreateDataChannelAnswer_ToChromiumDataOffer_AcceptsWithActiveSetupAndSameMid()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-datachannel-offer.sdp"));

        var answer = SessionDescription.Parse(WebRtcSdp.CreateDataChannelAnswer(offer, Transport(), 7).ToSdpString());

        var data = answer.Media.Single();
        Assert.That(data.Mid, Is.EqualTo("0"));
        Assert.That(data.Setup, Is.EqualTo(SdpSetup.Active));
        Assert.That(data.Port, Is.EqualTo(9));
        Assert.That(data.SctpPort, Is.EqualTo(5000));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
    }

    [Test]
    public void CreateDataChannelAnswer_ToChromiumAvOffer_RejectsAudioAndVideoKeepingMids()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));

        var answer = SessionDescription.Parse(WebRtcSdp.CreateDataChannelAnswer(offer, Transport(SdpSetup.Passive), 7).ToSdpString());

        Assert.That(answer.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(answer.Media.Select(m => m.Port), Is.EqualTo(new[] { 0, 0, 9 }));
        Assert.That(answer.Media[0].Protocol, Is.EqualTo("UDP/TLS/RTP/SAVPF"));
        Assert.That(answer.Media[2].Setup, Is.EqualTo(SdpSetup.Passive), "actpass offer lets the answerer pick its preferred role");
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "2" }));
    }

    [Test]
    public void CreateDataChannelAnswer_ToLegacyKvsOffer_AnswersInLegacyForm()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("kvs-c-sdk-legacy-datachannel-offer.sdp"));

        var answer = SessionDescription.Parse(WebRtcSdp.CreateDataChannelAnswer(offer, Transport(), 7).ToSdpString());

        var data = answer.Media[0];
        Assert.That(data.MediaLine, Is.EqualTo("application 9 DTLS/SCTP 5000"));
        Assert.That(data.SctpMap, Is.EqualTo(new SdpSctpMap(5000, "webrtc-datachannel", 1024)));
        Assert.That(data.Setup, Is.EqualTo(SdpSetup.Active));
        Assert.That(answer.Media.Skip(1).All(m => m.IsRejected), Is.True);
    }

    [TestCase((int)SdpSetup.Active, (int)SdpSetup.Active, (int)SdpSetup.Passive)]
    [TestCase((int)SdpSetup.Passive, (int)SdpSetup.Passive, (int)SdpSetup.Active)]
    [TestCase((int)SdpSetup.ActPass, (int)SdpSetup.Passive, (int)SdpSetup.Passive)]
    [TestCase((int)SdpSetup.ActPass, (int)SdpSetup.ActPass, (int)SdpSetup.Active)]
    [TestCase((int)SdpSetup.HoldConn, (int)SdpSetup.Active, (int)SdpSetup.HoldConn)]
    public void AnswerSetup_FollowsRfc8842(int offered, int preferred, int expected) =>
        Assert.That(WebRtcSdp.AnswerSetup((SdpSetup)offered, (SdpSetup)preferred), Is.EqualTo((SdpSetup)expected));

    [Test]
    public void AnswerSetup_NoSetupInOffer_TreatsItAsActPass() =>
        Assert.That(WebRtcSdp.AnswerSetup(null), Is.EqualTo(SdpSetup.Active));

    [Test]
    public void CreateDataChannelAnswer_OfferWithoutDataSection_Throws()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("firefox-av-recvonly-offer.sdp"));

        Assert.Throws<ArgumentException>(() => WebRtcSdp.CreateDataChannelAnswer(offer, Transport(), 1));
    }

    [Test]
    public void CreateMediaSection_Video_WritesCodecsExtmapsMsidAndSsrc()
    {
        var options = new SdpMediaOptions
        {
            ExtMaps = [new SdpExtMap(4, "urn:ietf:params:rtp-hdrext:sdes:mid")],
            Msid = new SdpMsid("stream", "track"),
            Ssrc = 1234,
            Cname = "cname1",
        };

        var video = WebRtcSdp.CreateMediaSection("video", "1", Transport(), SdpDirection.SendOnly, [SdpCodec.H264(), SdpCodec.Vp8()], options);
        var session = WebRtcSdp.CreateSession(9, Transport(), [video]);
        var parsed = SessionDescription.Parse(session.ToSdpString()).Media.Single();

        Assert.That(parsed.MediaLine, Is.EqualTo("video 9 UDP/TLS/RTP/SAVPF 125 96"));
        Assert.That(parsed.Rtcp!.Port, Is.EqualTo(9));
        Assert.That(parsed.Direction, Is.EqualTo(SdpDirection.SendOnly));
        Assert.That(parsed.RtcpMux && parsed.RtcpRsize, Is.True);
        Assert.That(parsed.GetRtpMap(125), Is.EqualTo(new SdpRtpMap(125, "H264", 90000)));
        Assert.That(parsed.GetFmtp(125)!.GetParameters()["packetization-mode"], Is.EqualTo("1"));
        Assert.That(parsed.GetRtcpFeedbacks(96).Count, Is.EqualTo(5));
        Assert.That(parsed.ExtMaps.Single().Id, Is.EqualTo(4));
        Assert.That(parsed.Msids.Single(), Is.EqualTo(new SdpMsid("stream", "track")));
        Assert.That(parsed.Ssrcs, Is.EqualTo(new[] { new SdpSsrc(1234, "cname", "cname1"), new SdpSsrc(1234, "msid", "stream track") }));
    }

    [Test]
    public void CreateMediaAnswerSection_ChromiumVideo_KeepsMatchingH264ProfileAndItsRtx()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));
        var options = new SdpMediaOptions { ExtMaps = [new SdpExtMap(1, "urn:ietf:params:rtp-hdrext:sdes:mid")] };

        var answer = WebRtcSdp.CreateMediaAnswerSection(offer.Media[1], Transport(SdpSetup.Active), SdpDirection.SendOnly, [SdpCodec.H264()],
            offer.GetDirection(offer.Media[1]), options);

        Assert.That(answer.Mid, Is.EqualTo("1"));
        Assert.That(answer.PayloadTypes, Is.EqualTo(new[] { 108, 109 }), "42e01f packetization-mode=1 and its RTX, with the offer's numbers");
        Assert.That(answer.GetFmtp(108)!.GetParameters()["profile-level-id"], Is.EqualTo("42e01f"));
        Assert.That(answer.GetFmtp(109)!.Parameters, Is.EqualTo("apt=108"));
        Assert.That(answer.GetRtcpFeedbacks(108).Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}"),
            Is.EqualTo(new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" }));
        Assert.That(answer.ExtMaps.Single(), Is.EqualTo(new SdpExtMap(4, "urn:ietf:params:rtp-hdrext:sdes:mid")), "the offered id is kept");
        Assert.That(answer.Direction, Is.EqualTo(SdpDirection.SendOnly));
        Assert.That(answer.Setup, Is.EqualTo(SdpSetup.Active));
        Assert.That(answer.RtcpRsize, Is.True);
    }

    [Test]
    public void CreateMediaAnswerSection_ChromiumAudio_KeepsOpusAndPcmu()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));

        var answer = WebRtcSdp.CreateMediaAnswerSection(offer.Media[0], Transport(SdpSetup.Active), SdpDirection.RecvOnly,
            [SdpCodec.Pcmu(), SdpCodec.Opus()], SdpDirection.SendRecv);

        Assert.That(answer.PayloadTypes, Is.EqualTo(new[] { 111, 0 }), "offer order");
        Assert.That(answer.GetFmtp(111)!.Parameters, Is.EqualTo("minptime=10;useinbandfec=1"));
        Assert.That(answer.GetRtcpFeedbacks(111).Single().Type, Is.EqualTo("transport-cc"));
        Assert.That(answer.Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(answer.RtcpRsize, Is.True, "Chromium 156 offers rtcp-rsize on audio too; the answer mirrors the offer");
    }

    [Test]
    public void CreateMediaAnswerSection_NoCommonCodec_IsRejected()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));

        var answer = WebRtcSdp.CreateMediaAnswerSection(offer.Media[1], Transport(), SdpDirection.SendRecv, [new SdpCodec(96, "H265", 90000)]);

        Assert.That(answer.IsRejected, Is.True);
        Assert.That(answer.Mid, Is.EqualTo("1"));
    }

    [Test]
    public void CreateMediaSection_Audio_HasNoRtcpRsizeByDefault()
    {
        var audio = WebRtcSdp.CreateMediaSection("audio", "0", Transport(), SdpDirection.SendRecv, [SdpCodec.Opus(), SdpCodec.Pcmu()]);

        Assert.That(audio.RtcpRsize, Is.False);
        Assert.That(audio.GetRtpMap(111), Is.EqualTo(new SdpRtpMap(111, "opus", 48000, 2)));
        Assert.That(audio.PayloadTypes, Is.EqualTo(new[] { 111, 0 }));
    }

    [Test]
    public void CreateSession_AvAndData_BundlesAllMidsAndAddsIceLite()
    {
        var transport = new SdpTransportParameters("uf", "pwd0123456789abcdefghij", [s_fingerprint], SdpSetup.ActPass) { IceLite = true, TrickleIce = false };
        var sections = new[]
        {
            WebRtcSdp.CreateMediaSection("audio", "0", transport, SdpDirection.SendRecv, [SdpCodec.Opus()]),
            WebRtcSdp.CreateMediaSection("video", "1", transport, SdpDirection.SendRecv, [SdpCodec.H264()]),
            WebRtcSdp.CreateDataChannelSection("2", transport),
        };

        var sdp = SessionDescription.Parse(WebRtcSdp.CreateSession(5, transport, sections).ToSdpString());

        Assert.That(sdp.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(sdp.IceLite, Is.True);
        Assert.That(sdp.Media.All(m => m.IceOptions.Count == 0), Is.True);
    }

    [Test]
    public void SetBundle_ReplacesInPlaceAndRemovesWhenEmpty()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));
        var index = sdp.Lines.FindIndex(l => l.Value.StartsWith("group:BUNDLE", StringComparison.Ordinal));

        sdp.SetBundle(["2", "0"]);
        Assert.That(sdp.Lines[index].Value, Is.EqualTo("group:BUNDLE 2 0"));
        Assert.That(sdp.BundleGroup!.Mids, Is.EqualTo(new[] { "2", "0" }));

        sdp.SetBundle([]);
        Assert.That(sdp.BundleGroup, Is.Null);
    }

    [Test]
    public void AddCandidate_InsertsBeforeEndOfCandidates()
    {
        var data = WebRtcSdp.CreateDataChannelSection("0", Transport());
        data.AddCandidate("1 1 udp 2122194687 127.0.0.1 50000 typ host");
        data.SetEndOfCandidates();
        data.AddCandidate("candidate:2 1 udp 2122194687 127.0.0.1 50001 typ host");
        data.SetEndOfCandidates();

        Assert.That(data.Candidates, Is.EqualTo(new[] { "1 1 udp 2122194687 127.0.0.1 50000 typ host", "2 1 udp 2122194687 127.0.0.1 50001 typ host" }));
        Assert.That(data.CandidateAttributes[1], Is.EqualTo("candidate:2 1 udp 2122194687 127.0.0.1 50001 typ host"));
        Assert.That(data.Lines[^1].Value, Is.EqualTo("end-of-candidates"));
        Assert.That(data.GetAttributes("end-of-candidates"), Has.Count.EqualTo(1));
    }

    [Test]
    public void SetDirectionAndSetters_EditInPlace()
    {
        var sdp = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));
        var audio = sdp.Media[0];
        var index = audio.Lines.FindIndex(l => l.Value == "sendrecv");

        audio.SetDirection(SdpDirection.Inactive);
        audio.SetSetup(SdpSetup.Passive);
        audio.SetIceCredentials("newu", "newpassword0123456789ab");
        audio.SetPort(0);

        Assert.That(audio.Lines[index].Value, Is.EqualTo("inactive"));
        Assert.That(audio.Direction, Is.EqualTo(SdpDirection.Inactive));
        Assert.That(audio.Setup, Is.EqualTo(SdpSetup.Passive));
        Assert.That(audio.IceUfrag, Is.EqualTo("newu"));
        Assert.That(audio.IsRejected, Is.True);
        Assert.That(SessionDescription.Parse(sdp.ToSdpString()).Media[0].IcePwd, Is.EqualTo("newpassword0123456789ab"));
    }

    [Test]
    public void AddAttribute_Malformed_ThrowsArgumentException()
    {
        var media = WebRtcSdp.CreateDataChannelSection("0", Transport());

        Assert.Throws<ArgumentException>(() => media.AddAttribute("rtpmap", "x"));
        Assert.Throws<ArgumentException>(() => media.SetAttribute("setup", "sideways"));
        Assert.Throws<ArgumentException>(() => media.AddAttribute("bad name", null));
    }

    [Test]
    public void ToString_NeverContainsTheIcePassword()
    {
        var transport = Transport();
        var offer = WebRtcSdp.CreateDataChannelOffer(transport, 1);
        var pwdLine = offer.Media[0].Lines.Single(l => l.IsAttributeNamed("ice-pwd"));

        Assert.That(offer.ToString(), Does.Not.Contain(transport.IcePwd));
        Assert.That(offer.Media[0].ToString(), Does.Not.Contain(transport.IcePwd));
        Assert.That(transport.ToString(), Does.Not.Contain(transport.IcePwd));
        Assert.That(pwdLine.ToString(), Does.Not.Contain(transport.IcePwd));
        Assert.That(offer.ToSdpString(), Does.Contain(transport.IcePwd));
    }

    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.SendRecv, (int)SdpDirection.SendRecv)]
    [TestCase((int)SdpDirection.SendOnly, (int)SdpDirection.SendRecv, (int)SdpDirection.RecvOnly)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.SendRecv, (int)SdpDirection.SendOnly)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.RecvOnly, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.Inactive, (int)SdpDirection.SendRecv, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.SendOnly, (int)SdpDirection.SendOnly)]
    public void AnswerDirection_FollowsRfc3264(int offered, int local, int expected) =>
        Assert.That(WebRtcSdp.AnswerDirection((SdpDirection)offered, (SdpDirection)local), Is.EqualTo((SdpDirection)expected));
}
