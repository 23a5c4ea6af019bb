namespace Kvs.WebRtc.Media;

/// <summary>One access unit (a coded picture and the parameter sets/SEI before it) of an Annex-B stream.</summary>
/// <param name="AccessUnit">The access unit in Annex-B form: its NAL units with their start codes.</param>
/// <param name="IsKeyFrame">True when it holds an IDR slice (H.264) or an IRAP slice (H.265).</param>
/// <param name="Index">Position in the stream, from 0.</param>
/// <param name="Timestamp">Presentation time: <paramref name="Index"/> / frame rate.</param>
public readonly record struct AnnexBAccessUnit(ReadOnlyMemory<byte> AccessUnit, bool IsKeyFrame, int Index, TimeSpan Timestamp)
{
    /// <summary>The NAL units without start codes (and without trailing zero bytes).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> NalUnits => AnnexBReader.SplitNalUnits(AccessUnit);

    /// <summary>The RTP timestamp of this frame at <paramref name="clockRate"/> (90,000 for video) from 0.</summary>
    public uint RtpTimestamp(int clockRate = 90_000) => (uint)Math.Round((double)Timestamp.Ticks * clockRate / TimeSpan.TicksPerSecond);
}
