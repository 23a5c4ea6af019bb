namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>One packet as <c>ffprobe -show_packets</c> reports it.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="IsKeyFrame">The <c>K</c> flag.</param>
/// <param name="Pts">Presentation timestamp in the stream timebase, when known.</param>
/// <param name="Duration">Duration in the stream timebase, when known.</param>
public readonly record struct FfprobePacket(int Size, bool IsKeyFrame, long? Pts, long? Duration);
