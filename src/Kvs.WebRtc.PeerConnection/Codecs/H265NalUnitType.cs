namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>H.265 NAL unit types (ITU-T H.265 Table 7-1) and the RTP packet types of RFC 7798 §4.4.</summary>
internal enum H265NalUnitType : byte
{
    /// <summary>Trailing picture, non-reference.</summary>
    TrailN = 0,

    /// <summary>Trailing picture, reference.</summary>
    TrailR = 1,

    /// <summary>Broken link access (first IRAP type).</summary>
    BlaWLp = 16,

    /// <summary>Broken link access with RADL.</summary>
    BlaWRadl = 17,

    /// <summary>Broken link access without leading pictures.</summary>
    BlaNLp = 18,

    /// <summary>Instantaneous decoding refresh with RADL.</summary>
    IdrWRadl = 19,

    /// <summary>Instantaneous decoding refresh without leading pictures.</summary>
    IdrNLp = 20,

    /// <summary>Clean random access.</summary>
    CraNut = 21,

    /// <summary>Reserved IRAP (22).</summary>
    RsvIrapVcl22 = 22,

    /// <summary>Reserved IRAP (23).</summary>
    RsvIrapVcl23 = 23,

    /// <summary>Video parameter set.</summary>
    Vps = 32,

    /// <summary>Sequence parameter set.</summary>
    Sps = 33,

    /// <summary>Picture parameter set.</summary>
    Pps = 34,

    /// <summary>Access unit delimiter (not sent by our payloader).</summary>
    AccessUnitDelimiter = 35,

    /// <summary>End of sequence.</summary>
    EndOfSequence = 36,

    /// <summary>End of bitstream.</summary>
    EndOfBitstream = 37,

    /// <summary>Filler data (not sent by our payloader).</summary>
    FillerData = 38,

    /// <summary>Prefix SEI.</summary>
    PrefixSei = 39,

    /// <summary>Suffix SEI.</summary>
    SuffixSei = 40,

    /// <summary>Aggregation packet (RFC 7798 §4.4.2).</summary>
    AggregationPacket = 48,

    /// <summary>Fragmentation unit (RFC 7798 §4.4.3).</summary>
    FragmentationUnit = 49,

    /// <summary>PACI packet (RFC 7798 §4.4.4; unsupported).</summary>
    Paci = 50,
}
