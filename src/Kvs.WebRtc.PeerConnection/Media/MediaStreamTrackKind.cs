namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>The kind of a track (W3C <c>MediaStreamTrack.kind</c>).</summary>
public enum MediaStreamTrackKind
{
    /// <summary><c>audio</c>.</summary>
    Audio,

    /// <summary><c>video</c>.</summary>
    Video,
}
