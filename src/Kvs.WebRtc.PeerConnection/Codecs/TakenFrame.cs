namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// A completed frame handed over by <see cref="RtpFrameAssembler.TryTakeFrame"/> with its pooled buffer: the taker owns
/// <see cref="Buffer"/> (the first <see cref="Length"/> bytes are the frame) and returns it to
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/>.
/// </summary>
/// <param name="Buffer">The pooled buffer.</param>
/// <param name="Length">The frame's length in bytes.</param>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="IsKeyFrame">True for a key frame (decodable alone).</param>
/// <param name="IsComplete">False when the frame's start could not be verified after a gap.</param>
/// <param name="FirstArrival">The smallest arrival mark of its packets (see <see cref="RtpFrameAssembler.Push"/>).</param>
internal readonly record struct TakenFrame(byte[] Buffer, int Length, uint Timestamp, bool IsKeyFrame, bool IsComplete, long FirstArrival);
