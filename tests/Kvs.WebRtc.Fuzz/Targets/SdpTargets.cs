using System.Text;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>SDP: the parser, every typed attribute accessor, codec negotiation input and the writer.</summary>
internal static class SdpTargets
{
    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("sdp", "SessionDescription.TryParse, every session and media accessor, JsepNegotiator.ReadCodecs, the writer", Sdp);
    }

    private static void Sdp(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        if (!SessionDescription.TryParse(text, out var description, out _) || description is null)
        {
            return;
        }

        _ = description.Version;
        _ = description.Origin;
        _ = description.SessionName;
        _ = description.Timing;
        _ = description.BundleGroup;
        _ = description.MsidSemantic;
        _ = description.IceLite;
        foreach (var media in description.Media)
        {
            _ = media.Media;
            _ = media.Port;
            _ = media.Protocol;
            _ = media.PayloadTypes;
            _ = media.IsDataChannel;
            _ = media.Mid;
            _ = media.Rtcp;
            _ = media.SctpPort;
            _ = media.MaxMessageSize;
            _ = media.SctpMap;
            _ = media.RtcpFeedbacks;
            _ = media.Ssrcs;
            _ = media.SsrcGroups;
            _ = media.Msids;
            _ = description.GetIceUfrag(media);
            _ = description.GetIcePwd(media);
            _ = description.GetSetup(media);
            _ = description.GetDirection(media);
            _ = description.GetIceOptions(media);
            foreach (var fingerprint in description.GetFingerprints(media))
            {
                _ = DtlsFingerprint.TryParse(fingerprint.ToString(), out _);
            }

            foreach (var fmtp in media.Fmtps)
            {
                _ = fmtp.PayloadType;
                _ = fmtp.GetParameters();
                _ = H264FormatParameters.Parse(fmtp.Parameters).TryGetProfileLevelId(out _);
            }

            foreach (var line in media.Candidates)
            {
                _ = IceCandidate.TryParse(line, out _, out _);
            }

            _ = JsepNegotiator.ReadCodecs(media);
        }

        RemoteTransport(description, RTCSdpType.Offer);
        RemoteTransport(description, RTCSdpType.Answer);
        _ = description.ToSdpString();
    }

    // What RTCPeerConnection reads from a remote description; an invalid one is a typed WebRtcException.
    private static void RemoteTransport(SessionDescription description, RTCSdpType type)
    {
        try
        {
            _ = PeerConnection.RemoteTransport.From(description, type);
        }
        catch (WebRtcException ex) when (ex.Error == WebRtcError.InvalidSessionDescription)
        {
        }
    }
}
