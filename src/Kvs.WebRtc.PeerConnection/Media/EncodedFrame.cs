namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// One encoded frame: an H.264/H.265 access unit (Annex-B), a VP8/VP9 frame, or an Opus/G.711 packet.
/// </summary>
/// <param name="Data">The encoded bytes. For writing, the memory must not change until the write completes.</param>
/// <param name="Timestamp">Media time of the frame since the start of the stream (capture or presentation time).</param>
/// <param name="IsKeyFrame">True for a frame a decoder can start from (an IDR/IRAP access unit, a VP8/VP9 key frame); audio frames are always key frames.</param>
public readonly record struct EncodedFrame(ReadOnlyMemory<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)
{
    /// <summary>For a received frame: its RTP timestamp.</summary>
    public uint RtpTimestamp { get; init; }
}
