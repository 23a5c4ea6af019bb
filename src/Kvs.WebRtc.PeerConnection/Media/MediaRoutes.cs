using System.Diagnostics.CodeAnalysis;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Where received RTP goes and which sender an RTCP feedback names (RFC 8843 §9.2 without the mid extension): by the
/// SSRCs the remote description announced, else by a payload type only one receiving section uses (the SSRC is learned
/// from the first packet). Immutable; the connection swaps in a new one after each negotiation.
/// </summary>
internal sealed class MediaRoutes
{
    private readonly Dictionary<uint, (RTCRtpTransceiver Transceiver, Dictionary<int, RTCRtpCodec> Codecs)> _bySsrc;
    private readonly Dictionary<int, (RTCRtpTransceiver Transceiver, RTCRtpCodec Codec)> _byPayloadType;
    private readonly Dictionary<uint, RTCRtpTransceiver> _senders;
    private readonly HashSet<uint> _ignored;

    private MediaRoutes(Dictionary<uint, (RTCRtpTransceiver, Dictionary<int, RTCRtpCodec>)> bySsrc,
        Dictionary<int, (RTCRtpTransceiver, RTCRtpCodec)> byPayloadType, Dictionary<uint, RTCRtpTransceiver> senders, HashSet<uint> ignored)
    {
        _bySsrc = bySsrc;
        _byPayloadType = byPayloadType;
        _senders = senders;
        _ignored = ignored;
    }

    /// <summary>No routes.</summary>
    public static MediaRoutes Empty { get; } = new([], [], [], []);

    /// <summary>Builds the routes of the negotiated, receiving, not stopped transceivers.</summary>
    public static MediaRoutes Build(IEnumerable<RTCRtpTransceiver> transceivers)
    {
        var bySsrc = new Dictionary<uint, (RTCRtpTransceiver, Dictionary<int, RTCRtpCodec>)>();
        var byPt = new Dictionary<int, (RTCRtpTransceiver, RTCRtpCodec)>();
        var ambiguous = new HashSet<int>();
        var senders = new Dictionary<uint, RTCRtpTransceiver>();
        var ignored = new HashSet<uint>();
        foreach (var transceiver in transceivers)
        {
            var model = transceiver.Model;
            if (model.Stopped || model.Negotiated is not { } negotiated)
            {
                continue;
            }

            senders[model.SendSsrc] = transceiver;
            if (!negotiated.Receives)
            {
                continue;
            }

            var codecs = negotiated.Codecs.ToDictionary(c => c.PayloadType, c => RTCRtpSender.ToCodec(negotiated.Kind, c));
            foreach (var ssrc in negotiated.RemoteSsrcs)
            {
                bySsrc[ssrc] = (transceiver, codecs);
            }

            foreach (var rtx in negotiated.RemoteRtxSsrcs.Keys)
            {
                ignored.Add(rtx);
            }

            if (transceiver.Receiver.RemoteSsrc is { } learned && !bySsrc.ContainsKey(learned))
            {
                bySsrc[learned] = (transceiver, codecs);
            }

            if (negotiated.RemoteSsrcs.Count == 0)
            {
                foreach (var (pt, codec) in codecs)
                {
                    if (!byPt.TryAdd(pt, (transceiver, codec)))
                    {
                        ambiguous.Add(pt);
                    }
                }
            }
        }

        foreach (var pt in ambiguous)
        {
            byPt.Remove(pt);
        }

        return new MediaRoutes(bySsrc, byPt, senders, ignored);
    }

    /// <summary>Finds the receiving transceiver and codec of a packet.</summary>
    public bool TryRoute(uint ssrc, int payloadType, [NotNullWhen(true)] out RTCRtpTransceiver? transceiver, [NotNullWhen(true)] out RTCRtpCodec? codec)
    {
        if (_bySsrc.TryGetValue(ssrc, out var route))
        {
            transceiver = route.Transceiver;
            return route.Codecs.TryGetValue(payloadType, out codec);
        }

        if (!_ignored.Contains(ssrc) && _byPayloadType.TryGetValue(payloadType, out var byPt)
            && (byPt.Transceiver.Receiver.RemoteSsrc is null || byPt.Transceiver.Receiver.RemoteSsrc == ssrc))
        {
            transceiver = byPt.Transceiver;
            codec = byPt.Codec;
            return true;
        }

        transceiver = null;
        codec = null;
        return false;
    }

    /// <summary>The transceiver sending with <paramref name="ssrc"/>, or null.</summary>
    public RTCRtpTransceiver? FindSender(uint ssrc) => _senders.GetValueOrDefault(ssrc);
}
