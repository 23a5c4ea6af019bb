namespace Kvs.WebRtc.Media;

/// <summary>Which NAL unit syntax an Annex-B stream uses.</summary>
public enum AnnexBCodec
{
    /// <summary>H.264 / AVC: one-byte NAL header, type in the low 5 bits.</summary>
    H264,

    /// <summary>H.265 / HEVC: two-byte NAL header, type in bits 1..6 of the first byte.</summary>
    H265,
}
