using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.PeerConnection.Tests.Sdp;
using NUnit.Framework;
using RtpUris = Kvs.WebRtc.PeerConnection.Rtp.RtpExtensionUri;

namespace Kvs.WebRtc.PeerConnection.Tests.Jsep;

/// <summary>
/// The JSEP rules (RFC 8829, RFC 8843 BUNDLE, RFC 3264 offer/answer) of <see cref="JsepNegotiator"/>, driven directly:
/// captured browser and KVS SDK offers, hand-built ones, and exchanges between two negotiators.
/// </summary>
[TestFixture]
public sealed class JsepNegotiatorTests
{
    private const string Fingerprint = "sha-256 0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20:21:22:23:24:25:26:27:28:29";

    private static readonly SdpDirection[] s_sending = [SdpDirection.SendRecv, SdpDirection.SendOnly];

    // ---- Offers -------------------------------------------------------------------------------------------------

    [Test]
    public void CreateOffer_VideoAudioAndData_SectionsInTransceiverOrderBundledWithRtcpMux()
    {
        var a = new JsepPeer("a", 1000);
        var video = a.Add("video");
        var audio = a.Add("audio");

        var offer = a.CreateOffer(wantData: true);

        Assert.That(offer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("video", "0", 9), ("audio", "1", 9), ("application", "2", 9) }));
        Assert.That(offer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }), "BUNDLE: every section, the first one is the offerer's tag");
        Assert.That((video.Mid, audio.Mid, a.Negotiator.DataMid), Is.EqualTo(("0", "1", "2")));
        Assert.That(offer.Media.Take(2).All(m => m.RtcpMux && m.Protocol == MediaDescription.RtpProtocol), Is.True);
        Assert.That(offer.Media[0].RtcpRsize, Is.True, "video offers rtcp-rsize");
        Assert.That(offer.Media[1].RtcpRsize, Is.False, "audio does not");
        Assert.That(offer.Media[0].PayloadTypes, Is.EqualTo(new[] { 102, 104, 96, 98, 49 }));
        Assert.That(offer.Media[1].PayloadTypes, Is.EqualTo(new[] { 111, 0, 8 }));
        Assert.That(offer.Media[0].Ssrcs.Select(s => (s.Ssrc, s.Attribute)), Is.EqualTo(new[] { (1000u, "cname"), (1000u, "msid") }));
        Assert.That(offer.Media[0].Ssrcs[0].Value, Is.EqualTo("a-cname"));
        Assert.That(offer.Media[0].Msids.Single(), Is.EqualTo(new SdpMsid("a-stream", "a-video-0")));
        Assert.That(offer.Media.All(m => offer.GetSetup(m) == SdpSetup.ActPass), Is.True);
    }

    [TestCase("audio")]
    [TestCase("video")]
    [TestCase("audio,video")]
    [TestCase("video,audio,video")]
    [TestCase("audio,audio,video,video,audio")]
    public void CreateOffer_AnyMixOfKinds_OneSectionPerTransceiverInOrderWithDistinctMids(string kinds)
    {
        var a = new JsepPeer("a", 1000);
        var list = kinds.Split(',');
        foreach (var kind in list)
        {
            a.Add(kind);
        }

        var offer = a.CreateOffer(wantData: true);

        Assert.That(offer.Media.Select(m => m.Media), Is.EqualTo(list.Append("application")));
        Assert.That(offer.Media.Select(m => m.Mid).Distinct().Count(), Is.EqualTo(list.Length + 1));
        Assert.That(a.Transceivers.Select(t => t.Mid), Is.EqualTo(offer.Media.Take(list.Length).Select(m => m.Mid)));
        Assert.That(offer.BundleGroup!.Mids, Is.EqualTo(offer.Media.Select(m => m.Mid)));
    }

    [TestCase((int)SdpDirection.RecvOnly)]
    [TestCase((int)SdpDirection.Inactive)]
    public void CreateOffer_NotSending_HasNoSsrcAndNoMsid(int directionValue)
    {
        var direction = (SdpDirection)directionValue;
        var a = new JsepPeer("a", 1000);
        a.Add("video", direction, addTrack: false);

        var section = a.CreateOffer().Media.Single();

        Assert.That(section.Direction, Is.EqualTo(direction));
        Assert.That(section.Ssrcs, Is.Empty);
        Assert.That(section.Msids, Is.Empty);
    }

    [Test]
    public void CreateOffer_CalledTwiceBeforeApplying_OffersTheNewTransceiverBothTimesWithTheSameMid()
    {
        // Regression: the first CreateOffer assigned the mid and the second skipped the transceiver because it had one,
        // so an application calling createOffer twice (or applying the second offer) lost the section for good.
        var a = new JsepPeer("a", 1000);
        a.Add("video");
        a.Add("audio");

        var first = a.CreateOffer(wantData: true);
        var second = a.CreateOffer(wantData: true);

        Assert.That(second.Media.Select(m => (m.Media, m.Mid)), Is.EqualTo(first.Media.Select(m => (m.Media, m.Mid))));
        Assert.That(second.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));

        // And the exchange completes with the second offer.
        var b = new JsepPeer("b", 2000);
        a.Negotiator.ApplyLocal(second);
        var answer = b.Answer(second);
        a.Negotiator.Complete(second, answer, localIsOfferer: true, a.Transceivers);
        Assert.That(a.Transceivers.Select(t => t.Negotiated?.Mid), Is.EqualTo(new[] { "0", "1" }));
    }

    [Test]
    public void CreateOffer_ReOfferWithNewTransceivers_KeepsEveryExistingSectionInPlaceAndAppends()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("video");
        a.Add("audio");
        a.NegotiateWith(b, wantData: true);

        var audio2 = a.Add("audio");
        var video2 = a.Add("video");
        var (reOffer, answer) = a.NegotiateWith(b, wantData: true);

        Assert.That(reOffer.Media.Select(m => (m.Media, m.Mid)),
            Is.EqualTo(new[] { ("video", "0"), ("audio", "1"), ("application", "2"), ("audio", "3"), ("video", "4") }));
        Assert.That((audio2.Mid, video2.Mid), Is.EqualTo(("3", "4")));
        Assert.That(reOffer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2", "3", "4" }));
        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)),
            Is.EqualTo(new[] { ("video", "0", 9), ("audio", "1", 9), ("application", "2", 9), ("audio", "3", 9), ("video", "4", 9) }));
        Assert.That(b.Transceivers.Select(t => (t.Kind, t.Mid)),
            Is.EqualTo(new[] { ("video", "0"), ("audio", "1"), ("audio", "3"), ("video", "4") }), "B kept its transceivers and created one per new section");

        // The answerer's own re-offer keeps the same order too, with its new transceiver after them.
        b.Add("video");
        var (fromB, _) = b.NegotiateWith(a, wantData: true);
        Assert.That(fromB.Media.Select(m => (m.Media, m.Mid)),
            Is.EqualTo(new[] { ("video", "0"), ("audio", "1"), ("application", "2"), ("audio", "3"), ("video", "4"), ("video", "5") }));
    }

    [Test]
    public void CreateOffer_AfterAnsweringTheChromiumOffer_KeepsItsOrderAndMids()
    {
        var b = new JsepPeer("b", 2000);
        b.Answer(Load("chromium-av-offer.sdp"));
        b.Add("video");

        var offer = b.CreateOffer(wantData: true);

        Assert.That(offer.Media.Select(m => (m.Media, m.Mid)),
            Is.EqualTo(new[] { ("audio", "0"), ("video", "1"), ("application", "2"), ("video", "3") }));
    }

    [Test]
    public void CreateOffer_StoppedTransceiver_PortZeroInPlaceWithItsMidOutOfBundle_AndTheMidIsNotReused()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("video");
        var audio = a.Add("audio");
        a.Add("video");
        a.NegotiateWith(b);

        audio.Stopped = true;
        var (offer, answer) = a.NegotiateWith(b);

        var stopped = offer.Media[1];
        Assert.That((stopped.Media, stopped.Mid, stopped.Port), Is.EqualTo(("audio", "1", 0)));
        Assert.That(stopped.Ssrcs, Is.Empty);
        Assert.That(offer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "2" }));
        Assert.That((answer.Media[1].Media, answer.Media[1].Mid, answer.Media[1].Port), Is.EqualTo(("audio", "1", 0)), "the answer mirrors it");
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "2" }));
        Assert.That(b.Rejections, Is.Empty, "a section the offerer disabled is not a rejection of ours");
        Assert.That(audio.Negotiated, Is.Null);
        Assert.That(b.Transceivers[1].Negotiated, Is.Null, "the answerer's transceiver no longer sends or receives");

        a.Add("audio");
        var (third, _) = a.NegotiateWith(b);
        Assert.That(third.Media.Select(m => (m.Media, m.Mid, m.Port)),
            Is.EqualTo(new[] { ("video", "0", 9), ("audio", "1", 0), ("video", "2", 9), ("audio", "3", 9) }));
    }

    [Test]
    public void Complete_RemoteAnswerRejectsASection_StopsThatTransceiverAndTheNextOfferDisablesIt()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        var video = a.Add("video");
        var g722 = a.Add("audio", codecs: [new SdpCodec(9, "G722", 8000)]);

        var (_, answer) = a.NegotiateWith(b, wantData: true);

        Assert.That(answer.Media[1].Port, Is.Zero);
        Assert.That(g722.Stopped, Is.True, "W3C: a section the remote answer rejected stops the transceiver");
        Assert.That(g722.Negotiated, Is.Null);
        Assert.That(g722.CurrentDirection, Is.Null);
        Assert.That(video.Stopped, Is.False);
        Assert.That(video.Negotiated, Is.Not.Null);
        Assert.That(b.Transceivers[1].Stopped, Is.False, "the answerer's own rejection does not stop its transceiver");

        var next = a.CreateOffer(wantData: true);
        Assert.That(next.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("video", "0", 9), ("audio", "1", 0), ("application", "2", 9) }));
    }

    [Test]
    public void Complete_RemoteAnswerRejectsTheDataSection_ForgetsTheDataMid()
    {
        var a = new JsepPeer("a", 1000);
        a.Add("audio");
        var offer = a.CreateOffer(wantData: true);
        a.Negotiator.ApplyLocal(offer);
        var b = new JsepPeer("b", 2000);
        var answer = b.Answer(offer, acceptData: false);

        a.Negotiator.Complete(offer, answer, localIsOfferer: true, a.Transceivers);

        Assert.That(answer.Media[1].Port, Is.Zero);
        Assert.That(b.Rejections.Single().Reason, Does.Contain("data channels are not accepted"));
        Assert.That(a.Negotiator.DataMid, Is.Null);
    }

    // ---- Answers to captured offers ---------------------------------------------------------------------------

    [Test]
    public void CreateAnswer_ChromiumAvOffer_AcceptsAudioVideoAndDataInOrderKeepingOffererPayloadTypes()
    {
        var offer = Load("chromium-av-offer.sdp");
        var b = new JsepPeer("b", 2000);

        var associated = b.ApplyRemoteOffer(offer);
        var answer = b.CreateAnswer(offer);

        Assert.That(associated.Select(t => (t.Kind, t.Mid, t.Direction, t.RemoteDirection)),
            Is.EqualTo(new[] { ("audio", "0", SdpDirection.RecvOnly, (SdpDirection?)SdpDirection.SendRecv), ("video", "1", SdpDirection.RecvOnly, SdpDirection.SendRecv) }));
        Assert.That(b.Rejections, Is.Empty);
        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("audio", "0", 9), ("video", "1", 9), ("application", "2", 9) }));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(answer.Media.All(m => answer.GetSetup(m) == SdpSetup.Active), Is.True);
        Assert.That(answer.Media.Take(2).All(m => m.RtcpMux && m.RtcpRsize && m.Direction == SdpDirection.RecvOnly), Is.True, "rtcp-rsize echoed where offered");
        Assert.That(answer.Media.Take(2).All(m => m.Ssrcs.Count == 0 && m.Msids.Count == 0), Is.True, "no a=ssrc or msid when not sending");
        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 111, 0, 8 }), "opus, PCMU, PCMA in the offer's order and numbers");

        // VP8 96, H.264 42001f/mode 1 at 102, H.264 42e01f/mode 1 at 108, VP9 profile 0 at 98, then their RTX. Not mode 0,
        // not Main (4d001f), not AV1, not VP9 profile 2, not red/ulpfec.
        Assert.That(answer.Media[1].PayloadTypes, Is.EqualTo(new[] { 96, 102, 108, 98, 97, 103, 109, 99 }));
        Assert.That(answer.Media[1].GetFmtp(108)!.Parameters, Is.EqualTo("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
        Assert.That(answer.Media[1].GetFmtp(97)!.Parameters, Is.EqualTo("apt=96"));
    }

    [Test]
    public void Complete_ChromiumAvOffer_NegotiatesCodecsWithRtxFoldedAndTheRemoteSsrcsAndFidGroup()
    {
        var offer = Load("chromium-av-offer.sdp");
        var b = new JsepPeer("b", 2000);

        b.Answer(offer);

        var audio = b.Transceivers[0].Negotiated!;
        var video = b.Transceivers[1].Negotiated!;
        Assert.That((audio.Mid, audio.Kind, audio.Direction, video.Direction), Is.EqualTo(("0", "audio", SdpDirection.RecvOnly, SdpDirection.RecvOnly)));
        Assert.That(b.Transceivers.Select(t => t.CurrentDirection), Is.All.EqualTo(SdpDirection.RecvOnly));
        Assert.That(audio.Codecs.Select(c => (c.PayloadType, c.Name, c.ClockRate, c.Channels)),
            Is.EqualTo(new[] { (111, "opus", 48000, (int?)2), (0, "PCMU", 8000, null), (8, "PCMA", 8000, null) }));
        Assert.That(video.Codecs.Select(c => (c.PayloadType, c.Name, c.RtxPayloadType)),
            Is.EqualTo(new[] { (96, "VP8", (int?)97), (102, "H264", 103), (108, "H264", 109), (98, "VP9", 99) }));
        Assert.That(video.FindCodec(96)!.Feedback, Is.EquivalentTo(new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" }),
            "the rtcp-fb both sides list");
        Assert.That(audio.RemoteSsrcs, Is.EqualTo(new[] { 3256806714u }));
        Assert.That(audio.RemoteRtxSsrcs, Is.Empty);
        Assert.That(video.RemoteSsrcs, Is.EqualTo(new[] { 1283345567u }), "the RTX SSRC of the FID group is not a media SSRC");
        Assert.That(video.RemoteRtxSsrcs, Is.EqualTo(new Dictionary<uint, uint> { [1871545949u] = 1283345567u }));
        Assert.That(video.RtcpReducedSize && audio.RtcpReducedSize, Is.True);
        Assert.That(b.Negotiator.DataMid, Is.EqualTo("2"));
    }

    // ---- Header extensions and transport-cc ------------------------------------------------------------------

    [TestCase((int)SdpDirection.SendRecv)]
    [TestCase((int)SdpDirection.RecvOnly)]
    public void CreateOffer_AudioAndVideo_OffersMidAbsSendTimeAndTransportCcWithOneByteIdsAndTransportCcFeedback(int directionValue)
    {
        var a = new JsepPeer("a", 1000);
        a.Add("video", (SdpDirection)directionValue);
        a.Add("audio", (SdpDirection)directionValue);

        var offer = a.CreateOffer();

        var expected = new[]
        {
            (1, "urn:ietf:params:rtp-hdrext:sdes:mid"),
            (2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
            (3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
        };
        Assert.That(offer.Media.Select(m => m.ExtMaps.Select(e => (e.Id, e.Uri))), Is.All.EqualTo(expected), "the same ids in both sections (BUNDLE)");
        Assert.That(offer.Media[0].PayloadTypes.Select(pt => offer.Media[0].GetRtcpFeedbacks(pt).Any(f => f.Type == "transport-cc")), Is.All.True);
        Assert.That(offer.Media[1].GetRtcpFeedbacks(111).Select(f => f.Type), Does.Contain("transport-cc"), "opus");
    }

    [Test]
    public void CreateAnswer_ChromiumAvOffer_EchoesOnlyOurExtensionsWithTheOfferersIds()
    {
        var offer = Load("chromium-av-offer.sdp");
        var b = new JsepPeer("b", 2000);

        b.ApplyRemoteOffer(offer);
        var answer = b.CreateAnswer(offer);

        var expected = new[]
        {
            (2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
            (3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
            (4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
        };
        Assert.That(answer.Media[0].ExtMaps.Select(e => (e.Id, e.Uri)), Is.EquivalentTo(expected), "audio: not ssrc-audio-level");
        Assert.That(answer.Media[1].ExtMaps.Select(e => (e.Id, e.Uri)), Is.EquivalentTo(expected), "video: not toffset, playout-delay, rid, ...");
        Assert.That(answer.Media[0].GetRtcpFeedbacks(111).Select(f => f.Type), Is.EqualTo(new[] { "transport-cc" }));
        Assert.That(answer.Media[1].GetRtcpFeedbacks(96).Select(f => f.Type), Does.Contain("transport-cc"));
    }

    [Test]
    public void Complete_ChromiumAvOffer_NegotiatedExtensionsCarryTheOfferersIds()
    {
        var offer = Load("chromium-av-offer.sdp");
        var b = new JsepPeer("b", 2000);

        b.Answer(offer);

        foreach (var negotiated in b.Transceivers.Select(t => t.Negotiated!))
        {
            Assert.That(negotiated.Extensions.Single(e => e.Uri == "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01").Id, Is.EqualTo(3));
            Assert.That(negotiated.Extensions.Single(e => e.Uri == "urn:ietf:params:rtp-hdrext:sdes:mid").Id, Is.EqualTo(4));
            Assert.That(negotiated.Extensions, Has.Count.EqualTo(3));
        }
    }

    [Test]
    public void CreateAnswer_OfferWithoutExtensions_AnswersNone()
    {
        var a = new JsepPeer("a", 1000);
        a.Add("video").HeaderExtensions = [];
        var b = new JsepPeer("b", 2000);

        a.NegotiateWith(b);

        Assert.That(b.Transceivers.Single().Negotiated!.Extensions, Is.Empty);
        Assert.That(a.Transceivers.Single().Negotiated!.Extensions, Is.Empty);
    }

    [Test]
    public void Negotiate_OursToOurs_BothSidesAgreeOnOurIds()
    {
        var a = new JsepPeer("a", 1000);
        a.Add("video");
        a.Add("audio");
        var b = new JsepPeer("b", 2000);

        a.NegotiateWith(b);

        var ids = new[] { (1, RtpUris.Mid), (2, RtpUris.AbsSendTime), (3, RtpUris.TransportWideCc) };
        Assert.That(a.Transceivers.Concat(b.Transceivers).Select(t => t.Negotiated!.Extensions.Select(e => (e.Id, e.Uri))), Is.All.EquivalentTo(ids));
    }

    [Test]
    public void CreateAnswer_FirefoxRecvOnlyOffer_AnswersSendOnlyFromAddTrackTransceiversWithSsrcAndMsid()
    {
        var offer = Load("firefox-av-recvonly-offer.sdp");
        var b = new JsepPeer("b", 2000);
        var video = b.Add("video");
        var audio = b.Add("audio");

        var associated = b.ApplyRemoteOffer(offer);
        var answer = b.CreateAnswer(offer);

        Assert.That(associated, Is.EqualTo(new[] { audio, video }), "each AddTrack transceiver takes the offered section of its kind");
        Assert.That(b.Transceivers, Has.Count.EqualTo(2), "no transceiver created");
        Assert.That((audio.Mid, video.Mid), Is.EqualTo(("0", "1")));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1" }));
        Assert.That(answer.Media.Select(m => m.Direction), Is.All.EqualTo(SdpDirection.SendOnly));
        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 109, 0, 8 }), "G722/8000/1 and telephone-event are not ours");
        Assert.That(answer.Media[1].PayloadTypes, Is.EqualTo(new[] { 120, 121, 126, 124, 125, 127 }),
            "VP8, VP9 (no profile-id: profile 0), H.264 42e01f mode 1, their RTX; not H.264 without packetization-mode, red, ulpfec");
        Assert.That(answer.Media[0].RtcpRsize, Is.False, "Firefox's audio has no rtcp-rsize");
        Assert.That(answer.Media[1].RtcpRsize, Is.True);
        Assert.That(answer.Media[1].Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(new[] { video.SendSsrc }));
        Assert.That(answer.Media[0].Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(new[] { audio.SendSsrc }));
        Assert.That(answer.Media[1].Msids.Single(), Is.EqualTo(new SdpMsid("b-stream", video.TrackId)));
        Assert.That(answer.Media.All(m => answer.GetSetup(m) == SdpSetup.Active), Is.True);
    }

    [Test]
    public void CreateAnswer_SafariOffer_VideoFirstRecvOnly_PicksConstrainedBaselineNotConstrainedHigh()
    {
        var offer = Load("kvs-c-sdk-safari-mac-offer.sdp");
        var b = new JsepPeer("b", 2000);
        var video = b.Add("video", SdpDirection.SendOnly);

        var answer = b.Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("video", "0", 9), ("audio", "1", 9), ("application", "2", 9) }));
        Assert.That(answer.Media[0].Direction, Is.EqualTo(SdpDirection.SendOnly));
        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 98, 100, 99, 101 }), "640c1f (constrained high) is not 42e01f; 42e01f at 98 and VP8 at 100 are");
        Assert.That(answer.Media[1].Direction, Is.EqualTo(SdpDirection.RecvOnly), "Safari's sendrecv audio met a new receive-only transceiver");
        Assert.That(answer.Media[1].Ssrcs, Is.Empty);
        Assert.That(video.Negotiated!.Codecs[0].FormatParameters, Does.Contain("profile-level-id=42e01f"));
        Assert.That(b.Transceivers[1].Negotiated!.RemoteSsrcs, Is.EqualTo(new[] { 2805193976u }));
        Assert.That(video.Negotiated.RemoteSsrcs, Is.Empty, "Safari sends no video");
    }

    [Test]
    public void CreateAnswer_KvsSdkOfferWithActiveSetupAndOneBundledMid_AnswersPassiveAndRejectsTheUnbundledSection()
    {
        // a=group:BUNDLE 0 with the video section (mid 1) outside it: we run one transport, so we cannot take it, and
        // RFC 8843 §7.3 forbids adding it to the group in the answer.
        var offer = Load("kvs-c-sdk-audio-answer-style.sdp");
        var b = new JsepPeer("b", 2000);
        var video = b.Add("video");

        var answer = b.Answer(offer);

        Assert.That(answer.Media.All(m => answer.GetSetup(m) == SdpSetup.Passive || m.IsRejected), Is.True, "the offer's first section is setup:active");
        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("audio", "0", 9), ("video", "1", 0) }));
        Assert.That(answer.Media[0].Direction, Is.EqualTo(SdpDirection.RecvOnly));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0" }));
        Assert.That(b.Rejections.Single(), Is.EqualTo(new JsepRejection(1, "1", "video", "not in the offer's BUNDLE group (only one transport is supported)")));
        Assert.That(video.Mid, Is.Null, "the AddTrack transceiver stays free for a section we can take");
        Assert.That(b.Transceivers[1].Negotiated!.RemoteSsrcs, Is.EqualTo(new[] { 1743019002u }));
    }

    [Test]
    public void CreateAnswer_LegacyKvsOfferWithDuplicateMid_AnswersLegacyDataAndRejectsTheDuplicate()
    {
        var offer = Load("kvs-c-sdk-legacy-datachannel-offer.sdp");
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Media, m.Protocol, m.Mid, m.Port)), Is.EqualTo(new[]
        {
            ("application", MediaDescription.LegacyDataChannelProtocol, "0", 9),
            ("video", MediaDescription.RtpProtocol, "1", 9),
            ("video", MediaDescription.RtpProtocol, "1", 0),
        }));
        Assert.That(answer.Media[0].SctpMap!.Streams, Is.EqualTo(1024));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1" }));
        Assert.That(b.Transceivers, Has.Count.EqualTo(1));
        Assert.That(b.Transceivers[0].Negotiated, Is.Not.Null, "the second section with the same mid does not undo the first");
        Assert.That(b.Rejections.Single(), Is.EqualTo(new JsepRejection(2, "1", "video", "duplicate a=mid:1 (mids must be unique)")));
    }

    // ---- Hand-built offers --------------------------------------------------------------------------------------

    [TestCase("video,application,audio")]
    [TestCase("application,video,audio,video")]
    [TestCase("audio,audio,application")]
    [TestCase("video")]
    [TestCase("application")]
    public void CreateAnswer_SectionsInAnyOrder_MirroredInOrderWithATransceiverPerRtpSection(string kinds)
    {
        var list = kinds.Split(',');
        var offer = Session(string.Join(' ', Enumerable.Range(0, list.Length)), list.Select((kind, i) => kind switch
        {
            "audio" => Opus(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "video" => Vp8(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => Data(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        }).ToArray());
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(list.Select((k, i) => (k, i.ToString(System.Globalization.CultureInfo.InvariantCulture), 9))));
        Assert.That(b.Transceivers.Select(t => t.Kind), Is.EqualTo(list.Where(k => k != "application")));
        Assert.That(b.Transceivers.Select(t => t.Negotiated?.Mid), Is.EqualTo(offer.Media.Where(m => m.Media != "application").Select(m => m.Mid)));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(offer.Media.Select(m => m.Mid)));
    }

    [Test]
    public void CreateAnswer_OfferWithoutBundle_AnswerHasNoGroup()
    {
        var offer = Session(null, Opus("a"), Vp8("v"));
        var answer = new JsepPeer("b", 2000).Answer(offer);

        Assert.That(answer.Groups, Is.Empty);
        Assert.That(answer.Media.Select(m => (m.Mid, m.Port)), Is.EqualTo(new[] { ("a", 9), ("v", 9) }));
    }

    [Test]
    public void CreateAnswer_RejectedSectionInTheMiddle_LeftOutOfBundleWithTheTagFirst()
    {
        var offer = Session("v a d", Vp8("v"), Media("audio 9 UDP/TLS/RTP/SAVPF 9", "a", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:9 G722/8000"), Data("d"));
        var answer = new JsepPeer("b", 2000).Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Mid, m.Port)), Is.EqualTo(new[] { ("v", 9), ("a", 0), ("d", 9) }));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "v", "d" }), "the offerer's tag (v) stays first; the rejected a is out");
    }

    [Test]
    public void CreateAnswer_OfferedSectionAlreadyDisabled_MirroredWithPortZeroAndNoTransceiver()
    {
        var disabled = Media("video 0 UDP/TLS/RTP/SAVPF 96", "1", "a=inactive", "a=rtpmap:96 VP8/90000");
        var offer = Session("0", Opus("0"), disabled);
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Media, m.Mid, m.Port)), Is.EqualTo(new[] { ("audio", "0", 9), ("video", "1", 0) }));
        Assert.That(answer.Media[1].Formats, Is.EqualTo(new[] { "96" }));
        Assert.That(b.Transceivers.Select(t => t.Kind), Is.EqualTo(new[] { "audio" }));
        Assert.That(b.Rejections, Is.Empty);
    }

    [Test]
    public void CreateAnswer_UnsupportedVideoCodecOnly_RejectsMirroringTheSectionAndNamesOfferedAndSupportedCodecs()
    {
        var av1 = Media("video 9 UDP/TLS/RTP/SAVPF 45 46", "0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:45 AV1/90000", "a=fmtp:45 level-idx=5;profile=0;tier=0",
            "a=rtpmap:46 rtx/90000", "a=fmtp:46 apt=45", "a=ssrc:5555 cname:x");
        var offer = Session("0 1", av1, Data("1"));
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        var rejected = answer.Media[0];
        Assert.That((rejected.Media, rejected.Protocol, rejected.Mid, rejected.Port), Is.EqualTo(("video", MediaDescription.RtpProtocol, "0", 0)));
        Assert.That(rejected.Formats, Is.EqualTo(new[] { "45", "46" }), "RFC 3264 §6: the rejected section lists the offered formats");
        Assert.That(rejected.Ssrcs, Is.Empty);
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "1" }));
        var rejection = b.Rejections.Single();
        Assert.That((rejection.MLineIndex, rejection.Mid, rejection.Media), Is.EqualTo((0, "0", "video")));
        Assert.That(rejection.Reason, Is.EqualTo("no common codec: offered AV1/90000 (level-idx=5;profile=0;tier=0); supported "
            + "H264/90000 (level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f), "
            + "H264/90000 (level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f), VP8/90000, VP9/90000 (profile-id=0), H265/90000"));
        Assert.That(b.Transceivers.Single().Negotiated, Is.Null);
    }

    [Test]
    public void CreateAnswer_Vp9Profile2Only_IsNotOurProfile0AndIsRejected()
    {
        // Regression: VP9 matched by name only, so a profile 2 (10-bit) offer was accepted against our profile 0.
        var offer = Session("0", Media("video 9 UDP/TLS/RTP/SAVPF 100 98", "0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:100 VP9/90000", "a=fmtp:100 profile-id=2", "a=rtpmap:98 VP9/90000", "a=fmtp:98 profile-id=0"));
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 98 }));

        var only2 = Session("0", Media("video 9 UDP/TLS/RTP/SAVPF 100", "0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:100 VP9/90000", "a=fmtp:100 profile-id=2"));
        var c = new JsepPeer("c", 3000);
        Assert.That(c.Answer(only2).Media[0].Port, Is.Zero);
        Assert.That(c.Rejections.Single().Reason, Does.StartWith("no common codec: offered VP9/90000 (profile-id=2); supported "));
    }

    [Test]
    public void CreateAnswer_H265Main10Only_IsNotOurMainProfile()
    {
        var offer = Session("0", Media("video 9 UDP/TLS/RTP/SAVPF 49 51", "0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:49 H265/90000", "a=fmtp:49 level-id=93;profile-id=2;tier-flag=0;tx-mode=SRST",
            "a=rtpmap:51 H265/90000", "a=fmtp:51 level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST"));
        var b = new JsepPeer("b", 2000);
        b.Add("video", codecs: [new SdpCodec(49, "H265", 90000)]);

        var answer = b.Answer(offer);

        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 51 }), "no profile-id means Main (1), RFC 7798 §7.1");
    }

    [TestCase("text 9 UDP/TLS/RTP/SAVPF 98", "unsupported media 'text'")]
    [TestCase("audio 9 RTP/AVP 0", "unsupported media 'audio' with protocol 'RTP/AVP'")]
    [TestCase("video 9 UDP/TLS/RTP/AVPF 96", "unsupported media 'video' with protocol 'UDP/TLS/RTP/AVPF'")]
    [TestCase("application 9 UDP/TLS/RTP/SAVPF 100", "unsupported media 'application'")]
    public void CreateAnswer_SectionWeCannotUse_RejectedWithTheReason(string mLine, string reason)
    {
        var offer = Session("0 1", Media(mLine, "0", "a=sendrecv", "a=rtcp-mux"), Data("1"));
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That((answer.Media[0].Media, answer.Media[0].Protocol, answer.Media[0].Mid, answer.Media[0].Port),
            Is.EqualTo((offer.Media[0].Media, offer.Media[0].Protocol, "0", 0)));
        Assert.That(b.Rejections.Single().Reason, Does.StartWith(reason));
        Assert.That(b.Transceivers, Is.Empty, "no transceiver for a section that is not secure RTP audio/video");
    }

    [Test]
    public void CreateAnswer_SecondDataSectionAndSectionWithoutMid_Rejected()
    {
        var noMid = Media("audio 9 UDP/TLS/RTP/SAVPF 111", null, "a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2");
        var offer = Session("0 1", Data("0"), Data("1"), noMid);
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media.Select(m => (m.Mid, m.Port)), Is.EqualTo(new[] { ("0", 9), ("1", 0), ((string?)null, 0) }));
        Assert.That(b.Rejections.Select(r => (r.MLineIndex, r.Reason)), Is.EqualTo(new[]
        {
            (1, "only one data channel section is supported"),
            (2, "the section has no a=mid (BUNDLE requires one)"),
        }));
        Assert.That(b.Negotiator.DataMid, Is.EqualTo("0"));
    }

    [Test]
    public void CreateAnswer_StoppedLocalTransceiver_RejectsItsSectionKeepingTheMid()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("audio");
        a.Add("video");
        a.NegotiateWith(b);
        b.Transceivers[1].Stopped = true;

        var (_, answer) = a.NegotiateWith(b);

        Assert.That(answer.Media.Select(m => (m.Mid, m.Port)), Is.EqualTo(new[] { ("0", 9), ("1", 0) }));
        Assert.That(b.Rejections.Single(), Is.EqualTo(new JsepRejection(1, "1", "video", "the transceiver is stopped")));
        Assert.That(a.Transceivers[1].Stopped, Is.True);
    }

    // ---- Association (RFC 8829 §5.10) --------------------------------------------------------------------------

    [Test]
    public void ApplyRemoteOffer_KnownMid_KeepsTheTransceiverAndAssociatesNothingNew()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("audio");
        a.NegotiateWith(b);
        var before = b.Transceivers.ToList();

        a.Transceivers[0].Direction = SdpDirection.SendOnly;
        var offer = a.CreateOffer();
        a.Negotiator.ApplyLocal(offer);
        var associated = b.ApplyRemoteOffer(offer);

        Assert.That(associated, Is.Empty);
        Assert.That(b.Transceivers, Is.EqualTo(before));
        Assert.That(b.Transceivers[0].RemoteDirection, Is.EqualTo(SdpDirection.SendOnly));
    }

    [Test]
    public void ApplyRemoteOffer_AddTrackTransceiverOfTheKind_IsTaken_AddTransceiverOnesAndOtherKindsAreNot()
    {
        var offer = Session("0 1 2", Vp8("0"), Vp8("1"), Opus("2"));
        var b = new JsepPeer("b", 2000);
        var byAddTransceiver = b.Add("video", addTrack: false);
        var byAddTrack = b.Add("video");
        var stoppedAudio = b.Add("audio");
        stoppedAudio.Stopped = true;

        var associated = b.ApplyRemoteOffer(offer);

        Assert.That(byAddTrack.Mid, Is.EqualTo("0"), "the first offered video section takes the AddTrack transceiver");
        Assert.That(byAddTransceiver.Mid, Is.Null, "AddTransceiver transceivers wait for our own offer");
        Assert.That(stoppedAudio.Mid, Is.Null);
        Assert.That(associated.Select(t => (t.Kind, t.Mid, t.Direction)), Is.EqualTo(new[]
        {
            ("video", "0", SdpDirection.SendRecv),
            ("video", "1", SdpDirection.RecvOnly),
            ("audio", "2", SdpDirection.RecvOnly),
        }));
        Assert.That(b.Transceivers, Has.Count.EqualTo(5));
    }

    [Test]
    public void ApplyRemoteOffer_RejectedOfferedSection_CreatesNoTransceiver_AndMarksAKnownOneInactive()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("audio");
        a.NegotiateWith(b);

        var offer = Session("0", Media("audio 0 UDP/TLS/RTP/SAVPF 111", "0", "a=rtpmap:111 opus/48000/2"), Media("video 0 UDP/TLS/RTP/SAVPF 96", "9", "a=rtpmap:96 VP8/90000"));
        var associated = b.ApplyRemoteOffer(offer);

        Assert.That(associated, Is.Empty);
        Assert.That(b.Transceivers, Has.Count.EqualTo(1));
        Assert.That(b.Transceivers[0].RemoteDirection, Is.EqualTo(SdpDirection.Inactive));
    }

    // ---- Directions (RFC 3264 §6.1) ------------------------------------------------------------------------------

    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.SendRecv, (int)SdpDirection.SendRecv)]
    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.SendOnly, (int)SdpDirection.SendOnly)]
    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.RecvOnly, (int)SdpDirection.RecvOnly)]
    [TestCase((int)SdpDirection.SendRecv, (int)SdpDirection.Inactive, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.SendOnly, (int)SdpDirection.SendRecv, (int)SdpDirection.RecvOnly)]
    [TestCase((int)SdpDirection.SendOnly, (int)SdpDirection.SendOnly, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.SendOnly, (int)SdpDirection.RecvOnly, (int)SdpDirection.RecvOnly)]
    [TestCase((int)SdpDirection.SendOnly, (int)SdpDirection.Inactive, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.SendRecv, (int)SdpDirection.SendOnly)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.SendOnly, (int)SdpDirection.SendOnly)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.RecvOnly, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.RecvOnly, (int)SdpDirection.Inactive, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.Inactive, (int)SdpDirection.SendRecv, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.Inactive, (int)SdpDirection.SendOnly, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.Inactive, (int)SdpDirection.RecvOnly, (int)SdpDirection.Inactive)]
    [TestCase((int)SdpDirection.Inactive, (int)SdpDirection.Inactive, (int)SdpDirection.Inactive)]
    public void Negotiate_EveryOfferedAndLocalDirection_AnswersPerRfc3264AndBothSidesAgree(int offeredValue, int localValue, int answeredValue)
    {
        var (offered, local, answered) = ((SdpDirection)offeredValue, (SdpDirection)localValue, (SdpDirection)answeredValue);
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        var offerer = a.Add("video", offered, addTrack: false);
        var answerer = b.Add("video", local);

        var (offer, answer) = a.NegotiateWith(b);

        Assert.That(offer.Media[0].Direction, Is.EqualTo(offered));
        Assert.That(answer.Media[0].Direction, Is.EqualTo(answered));
        Assert.That(answer.Media[0].Port, Is.EqualTo(9), "a direction never rejects a section");
        Assert.That(answerer.CurrentDirection, Is.EqualTo(answered));
        Assert.That(offerer.CurrentDirection, Is.EqualTo(JsepNegotiator.Reverse(answered)));
        Assert.That(offerer.Negotiated!.Direction, Is.EqualTo(JsepNegotiator.Reverse(answered)));
        Assert.That(answerer.Negotiated!.Direction, Is.EqualTo(answered));
        Assert.That(answerer.RemoteDirection, Is.EqualTo(offered));
        Assert.That(offerer.RemoteDirection, Is.EqualTo(answered));

        var offerSends = s_sending.Contains(offered);
        var answerSends = s_sending.Contains(answered);
        Assert.That(offer.Media[0].Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(offerSends ? new[] { offerer.SendSsrc } : Array.Empty<uint>()));
        Assert.That(answer.Media[0].Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(answerSends ? new[] { answerer.SendSsrc } : Array.Empty<uint>()));
        Assert.That(answer.Media[0].Msids, Has.Count.EqualTo(answerSends ? 1 : 0));
        Assert.That(offerer.Negotiated.RemoteSsrcs, Is.EqualTo(answerSends ? new[] { answerer.SendSsrc } : Array.Empty<uint>()));
        Assert.That(answerer.Negotiated.RemoteSsrcs, Is.EqualTo(offerSends ? new[] { offerer.SendSsrc } : Array.Empty<uint>()));
    }

    // ---- Codecs --------------------------------------------------------------------------------------------------

    [Test]
    public void Negotiate_DifferentPayloadTypesAndOrder_TheAnswerKeepsTheOfferersNumbersAndOrder()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        a.Add("video", codecs: [new SdpCodec(120, "VP8", 90000, null, null, ["nack", "nack pli"]), new SdpCodec(121, "H264", 90000, null, "packetization-mode=1;profile-level-id=42e01f", ["nack pli"])]);
        a.Add("audio", codecs: [new SdpCodec(8, "PCMA", 8000), new SdpCodec(109, "opus", 48000, 2)]);

        var (_, answer) = a.NegotiateWith(b);

        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 120, 121 }), "B prefers H.264 but answers in the offer's order");
        Assert.That(answer.Media[1].PayloadTypes, Is.EqualTo(new[] { 8, 109 }));
        Assert.That(answer.Media[0].GetRtcpFeedbacks(120).Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}"), Is.EqualTo(new[] { "nack", "nack pli" }));
        foreach (var peer in new[] { a, b })
        {
            Assert.That(peer.Transceivers[0].Negotiated!.Codecs.Select(c => (c.PayloadType, c.Name)), Is.EqualTo(new[] { (120, "VP8"), (121, "H264") }), peer.Name);
            Assert.That(peer.Transceivers[1].Negotiated!.Codecs.Select(c => (c.PayloadType, c.Name)), Is.EqualTo(new[] { (8, "PCMA"), (109, "opus") }), peer.Name);
        }
    }

    [Test]
    public void CreateAnswer_RtxForACodecWeDoNotTake_IsDroppedWithIt()
    {
        var offer = Session("0", Media("video 9 UDP/TLS/RTP/SAVPF 45 46 96 97 99", "0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:45 AV1/90000", "a=rtpmap:46 rtx/90000", "a=fmtp:46 apt=45",
            "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=rtpmap:99 rtx/90000"));
        var b = new JsepPeer("b", 2000);

        var answer = b.Answer(offer);

        Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 96, 97 }), "RTX without apt or repairing AV1 is not answered");
        Assert.That(b.Transceivers[0].Negotiated!.Codecs.Single(), Is.EqualTo(b.Transceivers[0].Negotiated!.FindCodec("VP8")));
        Assert.That(b.Transceivers[0].Negotiated!.Codecs.Single().RtxPayloadType, Is.EqualTo(97));
    }

    [TestCase("42e01f", "1", "42e01f", true, TestName = "H264_SameProfileAndMode_Matches")]
    [TestCase("42E01F", "1", "42e01f", true, TestName = "H264_UpperCaseHex_Matches")]
    [TestCase("42001f", "1", "42e01f", false, TestName = "H264_BaselineOfferedConstrainedBaselineLocal_NoMatch")]
    [TestCase("42e01f", "1", "42001f", false, TestName = "H264_ConstrainedBaselineOfferedBaselineLocal_NoMatch")]
    [TestCase("4d001f", "1", "42e01f", false, TestName = "H264_MainOffered_NoMatch")]
    [TestCase("640c1f", "1", "42e01f", false, TestName = "H264_ConstrainedHighOffered_NoMatch")]
    [TestCase("4d001f", "1", "4d001f", true, TestName = "H264_MainBoth_Matches")]
    [TestCase("640c1f", "1", "640c1f", true, TestName = "H264_ConstrainedHighBoth_Matches")]
    [TestCase("42e034", "1", "42e01f", true, TestName = "H264_HigherOfferedLevel_Matches")]
    [TestCase("42e00a", "1", "42e01f", true, TestName = "H264_LowerOfferedLevel_Matches")]
    [TestCase("42e01f", "0", "42e01f", false, TestName = "H264_PacketizationMode0Offered_NoMatch")]
    [TestCase("42e01f", null, "42e01f", false, TestName = "H264_NoPacketizationModeMeansMode0_NoMatch")]
    // libwebrtc's rule: an absent profile-level-id is taken as Constrained Baseline 3.1, which a Baseline decoder also decodes.
    [TestCase(null, "1", "42e01f", true, TestName = "H264_NoProfileLevelId_MatchesConstrainedBaseline")]
    [TestCase(null, "1", "4d001f", false, TestName = "H264_NoProfileLevelId_DoesNotMatchMain")]
    [TestCase("42c01f", "1", "42e01f", true, TestName = "H264_42c01fIsConstrainedBaselineToo_Matches")]
    public void CreateAnswer_H264_MatchesPacketizationModeAndProfileButNotLevel(string? profile, string? mode, string localProfile, bool accepted)
    {
        var parameters = new List<string> { "level-asymmetry-allowed=1" };
        if (mode is not null)
        {
            parameters.Add("packetization-mode=" + mode);
        }

        if (profile is not null)
        {
            parameters.Add("profile-level-id=" + profile);
        }

        var fmtp = string.Join(';', parameters);
        var offer = Session("0", Media("video 9 UDP/TLS/RTP/SAVPF 100", "0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:100 H264/90000", "a=fmtp:100 " + fmtp));
        var b = new JsepPeer("b", 2000);
        b.Add("video", codecs: [new SdpCodec(102, "H264", 90000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + localProfile)]);

        var answer = b.Answer(offer);

        Assert.That(answer.Media[0].Port, Is.EqualTo(accepted ? 9 : 0));
        if (accepted)
        {
            Assert.That(answer.Media[0].PayloadTypes, Is.EqualTo(new[] { 100 }));
            Assert.That(answer.Media[0].GetFmtp(100)!.Parameters, Is.EqualTo(fmtp), "the answer keeps the offered fmtp (level asymmetry: each side's level stands)");
        }
        else
        {
            Assert.That(b.Rejections.Single().Reason, Does.Contain($"offered H264/90000 ({fmtp})").And.Contain("profile-level-id=" + localProfile));
        }
    }

    [Test]
    public void ReadCodecs_StaticPayloadTypesWithoutRtpmap_AndNonMediaFormatsSkipped()
    {
        var offer = Session("0", Media("audio 9 UDP/TLS/RTP/SAVPF 0 8 9 13 101 63", "0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:101 telephone-event/8000", "a=rtpmap:63 red/48000/2", "a=rtpmap:13 CN/8000"));

        var codecs = JsepNegotiator.ReadCodecs(offer.Media[0]);

        Assert.That(codecs.Select(c => (c.PayloadType, c.Name, c.ClockRate)), Is.EqualTo(new[] { (0, "PCMU", 8000), (8, "PCMA", 8000), (9, "G722", 8000) }));
    }

    [Test]
    public void Complete_AsOffererWithTheChromiumAnswer_ReadsTheAnswersSsrcsAndCodecs()
    {
        var a = new JsepPeer("a", 1000);
        var audio = a.Add("audio");
        var video = a.Add("video");
        var offer = a.CreateOffer(wantData: true);
        a.Negotiator.ApplyLocal(offer);
        var answer = Load("chromium-av-answer.sdp");

        var changed = a.Negotiator.Complete(offer, answer, localIsOfferer: true, a.Transceivers);

        Assert.That(changed, Is.EqualTo(new[] { audio, video }));
        Assert.That(audio.Negotiated!.RemoteSsrcs, Is.EqualTo(new[] { 3329484968u }));
        Assert.That(video.Negotiated!.RemoteSsrcs, Is.EqualTo(new[] { 848236643u }));
        Assert.That(video.Negotiated.RemoteRtxSsrcs, Is.EqualTo(new Dictionary<uint, uint> { [1882778226u] = 848236643u }));
        Assert.That(video.Negotiated.FindCodec(102)!.RtxPayloadType, Is.EqualTo(103));
        Assert.That((audio.CurrentDirection, video.RemoteDirection), Is.EqualTo(((SdpDirection?)SdpDirection.SendRecv, (SdpDirection?)SdpDirection.SendRecv)));
        Assert.That(a.Negotiator.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
    }

    private static SessionDescription Load(string name) => SessionDescription.Parse(SdpSamples.Load(name));

    private static string Media(string mLine, string? mid, params string[] attributes)
    {
        var text = $"m={mLine}\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:rem1\r\na=ice-pwd:remotepassword0123456789\r\na=fingerprint:{Fingerprint}\r\na=setup:actpass\r\n";
        if (mid is not null)
        {
            text += $"a=mid:{mid}\r\n";
        }

        return text + string.Concat(attributes.Select(a => a + "\r\n"));
    }

    private static string Opus(string mid, string direction = "sendrecv") =>
        Media("audio 9 UDP/TLS/RTP/SAVPF 111 0", mid, "a=" + direction, "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1");

    private static string Vp8(string mid, string direction = "sendrecv") =>
        Media("video 9 UDP/TLS/RTP/SAVPF 96", mid, "a=" + direction, "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli");

    private static string Data(string mid) => Media("application 9 UDP/DTLS/SCTP webrtc-datachannel", mid, "a=sctp-port:5000");

    private static SessionDescription Session(string? bundle, params string[] media) =>
        SessionDescription.Parse("v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + (bundle is null ? string.Empty : $"a=group:BUNDLE {bundle}\r\n") + string.Concat(media));
}
