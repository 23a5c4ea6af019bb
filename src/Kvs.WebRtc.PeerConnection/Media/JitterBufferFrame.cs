namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>A frame released by <see cref="JitterBuffer.TryRead"/>; <see cref="Data"/> stays valid until the next call.</summary>
/// <param name="Data">The assembled frame (codec bitstream, e.g. Annex-B for H.264).</param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="IsKeyFrame">True for a key frame (video); audio frames report false.</param>
internal readonly record struct JitterBufferFrame(ReadOnlyMemory<byte> Data, uint Timestamp, bool IsKeyFrame);
