using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Sdp;
using Kvs.WebRtc.PeerConnection.Tests.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Jsep;

/// <summary>RTX (RFC 4588) in our descriptions: <c>rtx</c> with <c>apt=</c> per video codec and <c>a=ssrc-group:FID</c>.</summary>
[TestFixture]
public sealed class JsepRtxTests
{
    [Test]
    public void WithRtx_DefaultVideoCodecs_OneRtxPerCodecOnTheNextPayloadType()
    {
        var codecs = JsepRtx.WithRtx(JsepPeer.DefaultCodecs("video"));

        var rtx = codecs.Where(JsepRtx.IsRtx).Select(c => (c.PayloadType, c.ClockRate, c.FormatParameters)).ToList();
        Assert.That(rtx, Is.EqualTo(new[] { (103, 90000, "apt=102"), (105, 90000, "apt=104"), (97, 90000, "apt=96"), (99, 90000, "apt=98"), (50, 90000, "apt=49") }));
        Assert.That(codecs.Select(c => c.PayloadType), Is.Unique);
        Assert.That(JsepRtx.WithRtx(codecs), Is.SameAs(codecs), "already with RTX: unchanged");
    }

    [Test]
    public void WithRtx_NextPayloadTypeTaken_PicksAFreeDynamicOne()
    {
        var codecs = JsepRtx.WithRtx([new SdpCodec(96, "VP8", 90000), new SdpCodec(97, "VP9", 90000), new SdpCodec(127, "H264", 90000)]);
        Assert.That(codecs.Where(JsepRtx.IsRtx).Select(c => (c.PayloadType, c.FormatParameters)),
            Is.EqualTo(new[] { (98, "apt=96"), (99, "apt=97"), (100, "apt=127") }));
    }

    [Test]
    public void CreateOffer_VideoWithRtxSsrc_OffersRtxAndTheFidGroup_AudioUnchanged()
    {
        var a = new JsepPeer("a", 1000);
        var video = AddWithRtx(a, "video", 1000, 5000);
        a.Add("audio");

        var offer = a.CreateOffer();

        var section = offer.Media[0];
        Assert.That(section.PayloadTypes, Is.EqualTo(new[] { 102, 104, 96, 98, 49, 103, 105, 97, 99, 50 }));
        Assert.That(section.GetRtpMap(97)!.EncodingName, Is.EqualTo("rtx"));
        Assert.That(section.GetFmtp(97)!.Parameters, Is.EqualTo("apt=96"));
        Assert.That(section.SsrcGroups.Single(), Is.EqualTo(new SdpSsrcGroup("FID", [video.SendSsrc, 5000u])).Using<SdpSsrcGroup>(SameGroup));
        Assert.That(section.Ssrcs.Select(s => (s.Ssrc, s.Attribute)), Is.EqualTo(new[] { (1000u, "cname"), (1000u, "msid"), (5000u, "cname"), (5000u, "msid") }));
        Assert.That(offer.Media[1].PayloadTypes, Is.EqualTo(new[] { 111, 0, 8 }), "no RTX for audio");
        Assert.That(offer.Media[1].SsrcGroups, Is.Empty);
        Assert.That(section.Lines.Select(SdpValidator.ValidateLine).OfType<string>(), Is.Empty, "every line valid");
    }

    [Test]
    public void Negotiate_OursToOurs_BothSidesKnowTheRtxPayloadTypesAndTheOtherSidesRtxSsrc()
    {
        var a = new JsepPeer("a", 1000);
        var b = new JsepPeer("b", 2000);
        var sendA = AddWithRtx(a, "video", 1000, 5000);
        var sendB = AddWithRtx(b, "video", 2000, 6000);

        var (_, answer) = a.NegotiateWith(b);

        Assert.That(answer.Media[0].SsrcGroups.Single().Ssrcs, Is.EqualTo(new[] { 2000u, 6000u }), "the answerer announces its RTX SSRC too");
        Assert.That(sendA.Negotiated!.Codecs.Select(c => (c.PayloadType, c.RtxPayloadType)),
            Is.EqualTo(new[] { (102, (int?)103), (104, 105), (96, 97), (98, 99), (49, 50) }));
        Assert.That(sendB.Negotiated!.Codecs.Select(c => c.RtxPayloadType), Is.EqualTo(sendA.Negotiated.Codecs.Select(c => c.RtxPayloadType)));
        Assert.That(sendA.Negotiated.RemoteRtxSsrcs, Is.EqualTo(new Dictionary<uint, uint> { [6000u] = 2000u }));
        Assert.That(sendB.Negotiated.RemoteRtxSsrcs, Is.EqualTo(new Dictionary<uint, uint> { [5000u] = 1000u }));
        Assert.That(sendA.Negotiated.RemoteSsrcs, Is.EqualTo(new[] { 2000u }));
        Assert.That(sendA.Negotiated.Codecs.All(c => c.HasFeedback("nack")), Is.True);
    }

    [Test]
    public void CreateAnswer_ChromiumOfferWhileSending_AnswersRtxWithTheFidGroup()
    {
        var offer = SessionDescription.Parse(SdpSamples.Load("chromium-av-offer.sdp"));
        var b = new JsepPeer("b", 2000);
        var video = AddWithRtx(b, "video", 2000, 7000);

        b.ApplyRemoteOffer(offer);
        var answer = b.CreateAnswer(offer);

        var section = answer.Media.Single(m => m.Mid == video.Mid);
        Assert.That(section.PayloadTypes, Is.EqualTo(new[] { 96, 102, 108, 98, 97, 103, 109, 99 }), "Chromium's numbers, its RTX kept");
        Assert.That(section.SsrcGroups.Single().Ssrcs, Is.EqualTo(new[] { 2000u, 7000u }));
        Assert.That(section.Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(new[] { 2000u, 7000u }));
    }

    [Test]
    public void CreateAnswer_OfferWithoutRtx_AnswersNoFidGroup()
    {
        var a = new JsepPeer("a", 1000);
        a.Add("video"); // no RTX SSRC: offers no rtx
        var b = new JsepPeer("b", 2000);
        AddWithRtx(b, "video", 2000, 7000);

        var (offer, answer) = a.NegotiateWith(b);

        Assert.That(offer.Media[0].Formats.Select(f => offer.Media[0].GetRtpMap(int.Parse(f, System.Globalization.CultureInfo.InvariantCulture))?.EncodingName), Has.None.EqualTo("rtx"));
        Assert.That(answer.Media[0].SsrcGroups, Is.Empty);
        Assert.That(answer.Media[0].Ssrcs.Select(s => s.Ssrc).Distinct(), Is.EqualTo(new[] { 2000u }));
        Assert.That(b.Transceivers[0].Negotiated!.Codecs.Select(c => c.RtxPayloadType), Is.All.Null);
    }

    private static JsepTransceiver AddWithRtx(JsepPeer peer, string kind, uint ssrc, uint rtxSsrc)
    {
        var transceiver = new JsepTransceiver(kind, SdpDirection.SendRecv, JsepPeer.DefaultCodecs(kind), ssrc, $"{peer.Name}-{kind}", [peer.Name + "-stream"])
        {
            CreatedByAddTrack = true,
            RtxSsrc = rtxSsrc,
        };
        peer.Transceivers.Add(transceiver);
        return transceiver;
    }

    private static bool SameGroup(SdpSsrcGroup x, SdpSsrcGroup y) => x.Semantics == y.Semantics && x.Ssrcs.SequenceEqual(y.Ssrcs);
}
