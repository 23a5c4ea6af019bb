namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>How NAL units are delimited in an H.264/H.265 access unit given to a payloader.</summary>
internal enum NalUnitStreamFormat
{
    /// <summary>ITU-T H.264 Annex B byte stream: each NAL unit after a 3- or 4-byte start code (00 00 01, 00 00 00 01).</summary>
    AnnexB,

    /// <summary>Length-prefixed ("AVCC"/"HVCC", ISO/IEC 14496-15): each NAL unit after a big-endian length of 1, 2, 3 or 4 bytes.</summary>
    LengthPrefixed,
}
