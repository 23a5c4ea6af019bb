using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A local track attached to a sender (W3C <see href="https://www.w3.org/TR/webrtc-stats/#mediasourcestats-dict*">RTCMediaSourceStats</see>
/// with the fields of <c>RTCVideoSourceStats</c>, type <c>media-source</c>), referred to by
/// <see cref="RTCOutboundRtpStreamStats.MediaSourceId"/>. The track carries encoded frames: what a browser learns from
/// the camera (resolution, audio level) is not known here.
/// </summary>
public sealed class RTCMediaSourceStats : RTCStats
{
    internal RTCMediaSourceStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.MediaSource;

    /// <summary>The track's id (W3C <c>trackIdentifier</c>).</summary>
    public required string TrackIdentifier { get; init; }

    /// <summary>Audio or video (W3C <c>kind</c>).</summary>
    public MediaStreamTrackKind Kind { get; init; }

    /// <summary>
    /// Video tracks fed with frames (<see cref="EncodedFrameTrack"/>): frames written to the track (W3C <c>frames</c>); null for audio
    /// and for tracks fed with RTP packets.
    /// </summary>
    public long? Frames { get; init; }

    /// <summary>
    /// Video tracks fed with frames: the frame rate of the last whole second of media time (from the frames' timestamps), or null
    /// before a second of frames (W3C <c>framesPerSecond</c>).
    /// </summary>
    public double? FramesPerSecond { get; init; }
}
