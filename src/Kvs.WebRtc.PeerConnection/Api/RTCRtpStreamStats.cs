using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>What every RTP stream's stats carry (W3C <see href="https://www.w3.org/TR/webrtc-stats/#streamstats-dict*">RTCRtpStreamStats</see>).</summary>
public abstract class RTCRtpStreamStats : RTCStats
{
    private protected RTCRtpStreamStats()
    {
    }

    /// <summary>The stream's SSRC (W3C <c>ssrc</c>).</summary>
    public uint Ssrc { get; init; }

    /// <summary>Audio or video (W3C <c>kind</c>).</summary>
    public MediaStreamTrackKind Kind { get; init; }

    /// <summary>The <see cref="RTCCodecStats"/> of the stream's codec, or null when not known yet (W3C <c>codecId</c>).</summary>
    public string? CodecId { get; init; }

    /// <summary>The <see cref="RTCTransportStats"/> of the transport carrying the stream (W3C <c>transportId</c>).</summary>
    public string? TransportId { get; init; }
}
