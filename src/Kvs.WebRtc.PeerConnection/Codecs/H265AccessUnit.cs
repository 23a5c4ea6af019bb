namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>Helpers over one H.265 access unit in Annex-B form.</summary>
internal static class H265AccessUnit
{
    /// <summary>The type of a NAL unit from the first byte of its 2-byte header.</summary>
    public static H265NalUnitType GetNalUnitType(byte firstHeaderByte) => (H265NalUnitType)((firstHeaderByte >> 1) & 0x3F);

    /// <summary>True for IRAP pictures (types 16–21: BLA, IDR, CRA), where decoding can start.</summary>
    public static bool IsIrap(int nalType) => nalType is >= (int)H265NalUnitType.BlaWLp and <= (int)H265NalUnitType.CraNut;

    /// <summary>True when the access unit holds an IRAP picture.</summary>
    public static bool IsKeyFrame(ReadOnlySpan<byte> annexB)
    {
        foreach (var nal in new AnnexBNalUnitEnumerator(annexB))
        {
            if (nal.Length >= 2 && IsIrap((int)GetNalUnitType(nal[0])))
            {
                return true;
            }
        }

        return false;
    }
}
