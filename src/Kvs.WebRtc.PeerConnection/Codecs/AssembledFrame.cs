namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>A frame read from <see cref="RtpFrameAssembler.TryReadFrame"/>.</summary>
/// <param name="Data">
/// The frame bytes (H.264/H.265: Annex-B with 4-byte start codes; VP8/VP9: the codec frame; audio: the payload).
/// Pooled: valid until the next <see cref="RtpFrameAssembler.TryReadFrame"/> or <see cref="RtpFrameAssembler.Dispose"/>;
/// copy it to keep it.
/// </param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="IsKeyFrame">True for a key frame (H.264 IDR, H.265 IRAP, VP8/VP9 key frame; always true for audio).</param>
/// <param name="FirstSequenceNumber">Sequence number of the frame's first packet.</param>
/// <param name="LastSequenceNumber">Sequence number of the frame's last packet.</param>
/// <param name="IsComplete">
/// True when the frame is known whole. False when its first packet directly followed lost packets and the codec
/// cannot mark a frame's start (H.264/H.265 single NAL or aggregation packets): the lost packets may have been the
/// frame's beginning.
/// </param>
internal readonly record struct AssembledFrame(
    ReadOnlyMemory<byte> Data,
    uint Timestamp,
    bool IsKeyFrame,
    ushort FirstSequenceNumber,
    ushort LastSequenceNumber,
    bool IsComplete);
