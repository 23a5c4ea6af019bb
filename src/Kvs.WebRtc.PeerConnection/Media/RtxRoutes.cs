namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Where received RTX packets (RFC 4588) belong: by the RTX SSRC the remote paired with its media SSRC in
/// <c>a=ssrc-group:FID</c>, else by an RTX payload type only one receiving section uses (then the media SSRC is the
/// one the receiver learned). Gives the media SSRC and the payload type the RTX format repairs (<c>apt=</c>).
/// Immutable; rebuilt after each negotiation.
/// </summary>
internal sealed class RtxRoutes
{
    private readonly Dictionary<uint, (uint PrimarySsrc, Dictionary<int, int> AptByRtx)> _bySsrc;
    private readonly Dictionary<int, (RTCRtpTransceiver Transceiver, int Apt)> _byPayloadType;

    private RtxRoutes(Dictionary<uint, (uint, Dictionary<int, int>)> bySsrc, Dictionary<int, (RTCRtpTransceiver, int)> byPayloadType)
    {
        _bySsrc = bySsrc;
        _byPayloadType = byPayloadType;
    }

    /// <summary>No routes.</summary>
    public static RtxRoutes Empty { get; } = new([], []);

    /// <summary>Builds the routes of the negotiated, receiving, not stopped transceivers.</summary>
    public static RtxRoutes Build(IEnumerable<RTCRtpTransceiver> transceivers)
    {
        var bySsrc = new Dictionary<uint, (uint, Dictionary<int, int>)>();
        var byPt = new Dictionary<int, (RTCRtpTransceiver, int)>();
        var ambiguous = new HashSet<int>();
        foreach (var transceiver in transceivers)
        {
            if (transceiver.Model.Stopped || transceiver.Model.Negotiated is not { Receives: true } negotiated)
            {
                continue;
            }

            var aptByRtx = new Dictionary<int, int>();
            foreach (var codec in negotiated.Codecs)
            {
                if (codec.RtxPayloadType is { } rtx)
                {
                    aptByRtx[rtx] = codec.PayloadType;
                }
            }

            if (aptByRtx.Count == 0)
            {
                continue;
            }

            foreach (var (rtxSsrc, primary) in negotiated.RemoteRtxSsrcs)
            {
                bySsrc[rtxSsrc] = (primary, aptByRtx);
            }

            foreach (var (rtx, apt) in aptByRtx)
            {
                if (!byPt.TryAdd(rtx, (transceiver, apt)))
                {
                    ambiguous.Add(rtx);
                }
            }
        }

        foreach (var pt in ambiguous)
        {
            byPt.Remove(pt);
        }

        return new RtxRoutes(bySsrc, byPt);
    }

    /// <summary>
    /// Whether a packet with <paramref name="ssrc"/> and <paramref name="payloadType"/> is RTX; if so the media SSRC it
    /// repairs and the media payload type.
    /// </summary>
    public bool TryResolve(uint ssrc, int payloadType, out uint primarySsrc, out int aptPayloadType)
    {
        if (_bySsrc.TryGetValue(ssrc, out var bySsrc))
        {
            primarySsrc = bySsrc.PrimarySsrc;
            return bySsrc.AptByRtx.TryGetValue(payloadType, out aptPayloadType);
        }

        if (_byPayloadType.TryGetValue(payloadType, out var byPt) && byPt.Transceiver.Receiver.RemoteSsrc is { } learned)
        {
            primarySsrc = learned;
            aptPayloadType = byPt.Apt;
            return true;
        }

        primarySsrc = 0;
        aptPayloadType = 0;
        return false;
    }
}
