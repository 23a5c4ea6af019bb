namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A track of encoded audio or video (the encoded counterpart of W3C <c>MediaStreamTrack</c>): a local
/// <see cref="EncodedFrameTrack"/> or <see cref="RtpPacketTrack"/> the application writes to, or a
/// <see cref="RemoteMediaTrack"/> it reads from.
/// </summary>
public abstract class MediaStreamTrack
{
    private protected MediaStreamTrack(MediaStreamTrackKind kind, string? id)
    {
        Kind = kind;
        Id = string.IsNullOrEmpty(id) ? Guid.NewGuid().ToString("D") : id;
    }

    /// <summary>The track id (W3C <c>id</c>), announced in <c>a=msid</c> for local tracks.</summary>
    public string Id { get; }

    /// <summary>Audio or video (W3C <c>kind</c>).</summary>
    public MediaStreamTrackKind Kind { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}({Kind}, {Id})";
}
