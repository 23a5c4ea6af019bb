namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>H.264 NAL unit types (ITU-T H.264 Table 7-1) and the RTP packet types of RFC 6184 §5.2.</summary>
internal enum H264NalUnitType : byte
{
    /// <summary>Unspecified (0); RFC 6184 reserves it, receivers ignore it.</summary>
    Unspecified = 0,

    /// <summary>Coded slice of a non-IDR picture.</summary>
    Slice = 1,

    /// <summary>Coded slice data partition A.</summary>
    SliceDataPartitionA = 2,

    /// <summary>Coded slice data partition B.</summary>
    SliceDataPartitionB = 3,

    /// <summary>Coded slice data partition C.</summary>
    SliceDataPartitionC = 4,

    /// <summary>Coded slice of an IDR picture: a key frame.</summary>
    Idr = 5,

    /// <summary>Supplemental enhancement information.</summary>
    Sei = 6,

    /// <summary>Sequence parameter set.</summary>
    Sps = 7,

    /// <summary>Picture parameter set.</summary>
    Pps = 8,

    /// <summary>Access unit delimiter (not sent over RTP by our payloader).</summary>
    AccessUnitDelimiter = 9,

    /// <summary>End of sequence.</summary>
    EndOfSequence = 10,

    /// <summary>End of stream.</summary>
    EndOfStream = 11,

    /// <summary>Filler data (not sent over RTP by our payloader).</summary>
    FillerData = 12,

    /// <summary>Single-time aggregation packet A (RFC 6184 §5.7.1).</summary>
    StapA = 24,

    /// <summary>Single-time aggregation packet B (interleaved mode only; unsupported).</summary>
    StapB = 25,

    /// <summary>Multi-time aggregation packet, 16-bit offsets (interleaved mode only; unsupported).</summary>
    Mtap16 = 26,

    /// <summary>Multi-time aggregation packet, 24-bit offsets (interleaved mode only; unsupported).</summary>
    Mtap24 = 27,

    /// <summary>Fragmentation unit A (RFC 6184 §5.8).</summary>
    FuA = 28,

    /// <summary>Fragmentation unit B (interleaved mode only; unsupported).</summary>
    FuB = 29,

    /// <summary>Reserved (30); receivers ignore it.</summary>
    Reserved30 = 30,

    /// <summary>Reserved (31); receivers ignore it.</summary>
    Reserved31 = 31,
}
