using System.Security.Cryptography;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Sdp;

/// <summary>
/// Chromium (libwebrtc) is the reference SDP implementation: it must accept the offers and answers our builder writes,
/// and everything it writes must parse and write back byte for byte.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class ChromiumSdpInteropTests
{
    private static SdpTransportParameters Transport() =>
        new("Ab1+", "pwd0123456789abcdefghij", [SdpFingerprint.FromBytes("sha-256", SHA256.HashData("kvs"u8))], SdpSetup.ActPass);

    [Test]
    public async Task Chromium_AcceptsOurDataChannelOffer_AndItsAnswerParsesAndRoundTrips(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        var offer = WebRtcSdp.CreateDataChannelOffer(Transport(), 4611686018427387904).ToSdpString();

        var answerText = await page.EvaluateAsync<string>(AnswerOfferScript, offer);

        var answer = SessionDescription.Parse(answerText);
        Assert.That(answer.ToSdpString(), Is.EqualTo(answerText));
        var data = answer.Media.Single();
        Assert.That(data.IsDataChannel, Is.True);
        Assert.That(data.Mid, Is.EqualTo("0"));
        Assert.That(answer.GetSetup(data), Is.EqualTo(SdpSetup.Active));
        Assert.That(data.SctpPort, Is.EqualTo(5000));
        Assert.That(answer.GetIceUfrag(data), Is.Not.Empty);
        Assert.That(answer.GetFingerprints(data).Single().HashFunction, Is.EqualTo("sha-256"));
    }

    [Test]
    public async Task Chromium_AcceptsOurAudioVideoDataOffer_AndAnswersWithOurCodecs(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        var transport = Transport();
        var offer = WebRtcSdp.CreateSession(77, transport,
        [
            WebRtcSdp.CreateMediaSection("audio", "0", transport, SdpDirection.SendRecv, [SdpCodec.Opus(), SdpCodec.Pcmu()],
                new SdpMediaOptions { Msid = new SdpMsid("s", "a"), Ssrc = 1111, Cname = "c" }),
            WebRtcSdp.CreateMediaSection("video", "1", transport, SdpDirection.SendOnly, [SdpCodec.H264(), SdpCodec.Vp8()],
                new SdpMediaOptions { Msid = new SdpMsid("s", "v"), Ssrc = 2222, Cname = "c", ExtMaps = [new SdpExtMap(4, "urn:ietf:params:rtp-hdrext:sdes:mid")] }),
            WebRtcSdp.CreateDataChannelSection("2", transport),
        ]).ToSdpString();

        var answerText = await page.EvaluateAsync<string>(AnswerOfferScript, offer);

        var answer = SessionDescription.Parse(answerText);
        Assert.That(answer.ToSdpString(), Is.EqualTo(answerText));
        Assert.That(answer.Media.Select(m => m.Mid), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(answer.BundleGroup!.Mids, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(answer.Media[0].GetRtpMap(111), Is.EqualTo(new SdpRtpMap(111, "opus", 48000, 2)));
        Assert.That(answer.Media[1].GetRtpMap(125)!.EncodingName, Is.EqualTo("H264"));
        Assert.That(answer.GetDirection(answer.Media[1]), Is.EqualTo(SdpDirection.RecvOnly), "sendonly offer is answered recvonly");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Chromium_AcceptsOurDataChannelAnswer_ToItsOwnOffer(bool withMedia, CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        var offerText = await page.EvaluateAsync<string>(
            """
            async (withMedia) => {
              window.pc = new RTCPeerConnection();
              if (withMedia) {
                const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
                s.getTracks().forEach(t => pc.addTrack(t, s));
              }
              pc.createDataChannel('x');
              const offer = await pc.createOffer();
              await pc.setLocalDescription(offer);
              return offer.sdp;
            }
            """, withMedia);
        var offer = SessionDescription.Parse(offerText);
        Assert.That(offer.ToSdpString(), Is.EqualTo(offerText));

        var answer = WebRtcSdp.CreateDataChannelAnswer(offer, Transport(), 5).ToSdpString();
        var state = await page.EvaluateAsync<string>(
            "async (sdp) => { try { await pc.setRemoteDescription({ type: 'answer', sdp }); return pc.signalingState; } catch (e) { return 'error: ' + e; } }",
            answer);

        Assert.That(state, Is.EqualTo("stable"));
    }

    [Test]
    public async Task Chromium_AcceptsOurAudioVideoDataAnswer_ToItsOwnOffer(CancellationToken cancellationToken)
    {
        await using var page = await ChromiumPage.LaunchAsync(cancellationToken);
        var offerText = await page.EvaluateAsync<string>(
            """
            async () => {
              window.pc = new RTCPeerConnection();
              const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
              s.getTracks().forEach(t => pc.addTrack(t, s));
              pc.createDataChannel('x');
              const offer = await pc.createOffer();
              await pc.setLocalDescription(offer);
              return offer.sdp;
            }
            """);
        var offer = SessionDescription.Parse(offerText);
        var transport = Transport().WithSetup(SdpSetup.Active);
        var options = new SdpMediaOptions { ExtMaps = [new SdpExtMap(1, "urn:ietf:params:rtp-hdrext:sdes:mid")], Cname = "kvs" };
        var sections = offer.Media.Select(m => m.Media switch
        {
            "audio" => WebRtcSdp.CreateMediaAnswerSection(m, transport, SdpDirection.SendRecv, [SdpCodec.Opus()], offer.GetDirection(m),
                options with { Msid = new SdpMsid("kvs", "audio"), Ssrc = 1111 }),
            "video" => WebRtcSdp.CreateMediaAnswerSection(m, transport, SdpDirection.SendOnly, [SdpCodec.H264()], offer.GetDirection(m),
                options with { Msid = new SdpMsid("kvs", "video"), Ssrc = 2222 }),
            _ => WebRtcSdp.CreateDataChannelSection(m.Mid!, transport),
        }).ToList();
        var answer = WebRtcSdp.CreateSession(5, transport, sections).ToSdpString();

        var result = await page.EvaluateAsync<string>(
            """
            async (sdp) => {
              try {
                await pc.setRemoteDescription({ type: 'answer', sdp });
                return pc.signalingState + ' ' + pc.getTransceivers().map(t => t.currentDirection).join(',');
              } catch (e) { return 'error: ' + e; }
            }
            """, answer);

        Assert.That(result, Is.EqualTo("stable sendrecv,recvonly"));
    }

    private const string AnswerOfferScript =
        """
        async (sdp) => {
          const pc = new RTCPeerConnection();
          await pc.setRemoteDescription({ type: 'offer', sdp });
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          pc.close();
          return answer.sdp;
        }
        """;
}
