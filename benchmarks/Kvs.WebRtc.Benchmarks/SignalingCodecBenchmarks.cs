using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Encode and decode cost of the device's signaling wire codec (<c>SignalingClientCodec</c>) for the three messages a peer
/// exchanges: an SDP offer, an SDP answer (realistic ~2.5 KB browser-like SDP) and an ICE candidate.
/// Encode = client frame with the base64 JSON payload (what <c>SignalingClient</c> writes); decode = service frame
/// to a typed <see cref="SignalingMessage"/> (what <c>SignalingClient</c> reads).
/// Run: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*SignalingCodec*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SignalingCodecBenchmarks
{
    private const string Recipient = "viewer-0123456789";
    private const string CorrelationId = "a1b2c3d4.42";

    private SessionDescriptionPayload _offer = null!;
    private SessionDescriptionPayload _answer = null!;
    private IceCandidatePayload _candidate = null!;
    private byte[] _offerFrame = [];
    private byte[] _answerFrame = [];
    private byte[] _candidateFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        _offer = SessionDescriptionPayload.Offer(BuildSdp("actpass"));
        _answer = SessionDescriptionPayload.Answer(BuildSdp("active"));
        _candidate = new IceCandidatePayload("candidate:842163049 1 udp 1677729535 198.51.100.7 54400 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999", "0", 0);
        _offerFrame = ServiceFrame("SDP_OFFER", Payload(w => w.WriteString("sdp", _offer.Sdp), _offer.Type));
        _answerFrame = ServiceFrame("SDP_ANSWER", Payload(w => w.WriteString("sdp", _answer.Sdp), _answer.Type));
        _candidateFrame = ServiceFrame("ICE_CANDIDATE", Payload(w =>
        {
            w.WriteString("candidate", _candidate.Candidate);
            w.WriteString("sdpMid", _candidate.SdpMid);
            w.WriteNumber("sdpMLineIndex", _candidate.SdpMLineIndex ?? 0);
        }, type: null));
    }

    [Benchmark]
    public int EncodeOffer() => Return(SignalingClientCodec.EncodeFrameUtf8(SignalingMessageType.SdpOffer, _offer, Recipient, CorrelationId, out var length, out _), length);

    [Benchmark]
    public int EncodeAnswer() => Return(SignalingClientCodec.EncodeFrameUtf8(SignalingMessageType.SdpAnswer, _answer, Recipient, CorrelationId, out var length, out _), length);

    [Benchmark]
    public int EncodeIceCandidate() => Return(SignalingClientCodec.EncodeFrameUtf8(_candidate, Recipient, CorrelationId, out var length, out _), length);

    [Benchmark]
    public SignalingMessage? DecodeOffer() => Decode(_offerFrame);

    [Benchmark]
    public SignalingMessage? DecodeAnswer() => Decode(_answerFrame);

    [Benchmark]
    public SignalingMessage? DecodeIceCandidate() => Decode(_candidateFrame);

    private static int Return(byte[] rented, int length)
    {
        ArrayPool<byte>.Shared.Return(rented);
        return length;
    }

    private static SignalingMessage? Decode(byte[] frame)
    {
        SignalingClientCodec.DecodeFrame(frame, out var message, out _);
        return message;
    }

    private static byte[] ServiceFrame(string messageType, string payload) =>
        Encoding.UTF8.GetBytes(SignalingServiceCodec.EncodeFrame(messageType, "viewer-0123456789", payload, null));

    // The payload codec is compiled into both the client and the emulator (src/Shared), so this project, which sees
    // the internals of both, writes the setup payloads itself.
    private static string Payload(Action<Utf8JsonWriter> members, string? type)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            members(writer);
            if (type is not null)
            {
                writer.WriteString("type", type);
            }

            writer.WriteEndObject();
        }

        return Convert.ToBase64String(stream.ToArray());
    }

    private static string BuildSdp(string setup)
    {
        var sdp = new StringBuilder();
        sdp.Append("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        sdp.Append("a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n");
        foreach (var (mid, kind, pt) in new[] { ("0", "audio", "111"), ("1", "video", "96") })
        {
            sdp.Append("m=").Append(kind).Append(" 9 UDP/TLS/RTP/SAVPF ").Append(pt).Append("\r\n");
            sdp.Append("c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
            sdp.Append("a=ice-ufrag:EsAw\r\na=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\na=ice-options:trickle\r\n");
            sdp.Append("a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n");
            sdp.Append("a=setup:").Append(setup).Append("\r\na=mid:").Append(mid).Append("\r\n");
            sdp.Append("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n");
            sdp.Append("a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n");
            sdp.Append("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n");
            sdp.Append("a=sendrecv\r\na=msid:stream track-").Append(kind).Append("\r\na=rtcp-mux\r\n");
            sdp.Append("a=rtpmap:").Append(pt).Append(kind == "audio" ? " opus/48000/2\r\n" : " H264/90000\r\n");
            sdp.Append("a=rtcp-fb:").Append(pt).Append(" transport-cc\r\n");
            sdp.Append("a=fmtp:").Append(pt).Append(kind == "audio" ? " minptime=10;useinbandfec=1\r\n" : " level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n");
            sdp.Append("a=ssrc:").Append(kind == "audio" ? "1001" : "2002").Append(" cname:4TOk42mSjXCkVIa6\r\n");
        }

        return sdp.ToString();
    }
}
