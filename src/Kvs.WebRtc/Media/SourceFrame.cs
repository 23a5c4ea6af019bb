namespace Kvs.WebRtc.Media;

/// <summary>One frame read from a source, before it is given its place in the played timeline.</summary>
/// <param name="Data">The encoded bytes (valid until the next read from the same source).</param>
/// <param name="Duration">How long the frame lasts.</param>
/// <param name="IsKeyFrame">True for a frame a decoder can start from.</param>
/// <param name="Index">Position in the file or directory (for <see cref="IMediaFrameSource.Seek"/>), from 0.</param>
internal readonly record struct SourceFrame(ReadOnlyMemory<byte> Data, TimeSpan Duration, bool IsKeyFrame, int Index);
