namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>Helpers over one H.264 access unit in Annex-B form (ITU-T H.264 Annex B).</summary>
internal static class H264AccessUnit
{
    /// <summary>The NAL units of an Annex-B access unit, without allocating.</summary>
    public static AnnexBNalUnitEnumerator EnumerateNalUnits(ReadOnlySpan<byte> annexB) => new(annexB);

    /// <summary>The type of a NAL unit from its header byte.</summary>
    public static H264NalUnitType GetNalUnitType(byte header) => (H264NalUnitType)(header & 0x1F);

    /// <summary>True when the access unit holds an IDR slice (NAL type 5).</summary>
    public static bool IsKeyFrame(ReadOnlySpan<byte> annexB)
    {
        foreach (var nal in new AnnexBNalUnitEnumerator(annexB))
        {
            if (GetNalUnitType(nal[0]) == H264NalUnitType.Idr)
            {
                return true;
            }
        }

        return false;
    }
}
