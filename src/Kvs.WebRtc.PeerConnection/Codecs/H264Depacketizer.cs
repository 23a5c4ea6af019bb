namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.264 depacketizer, RFC 6184 non-interleaved mode: single NAL unit packets, STAP-A (§5.7.1) and FU-A (§5.8),
/// written as Annex-B with 4-byte start codes.
/// </summary>
/// <remarks>
/// An FU-A without its start fragment, or broken off before its end, fails the frame. Reserved types 0, 30 and 31
/// are skipped; STAP-B, MTAP16, MTAP24 and FU-B (interleaved mode) are unsupported. A frame is a key frame when it
/// holds an IDR slice.
/// </remarks>
internal sealed class H264Depacketizer : NalUnitDepacketizer
{
    /// <inheritdoc />
    protected override int HeaderLength => 1;

    /// <inheritdoc />
    protected override int AggregationType => (int)H264NalUnitType.StapA;

    /// <inheritdoc />
    protected override int FragmentType => (int)H264NalUnitType.FuA;

    /// <inheritdoc />
    protected override int ReadType(ReadOnlySpan<byte> header) => header[0] & 0x1F;

    /// <inheritdoc />
    protected override bool IsFragmentation(int type) => type is (int)H264NalUnitType.FuA or (int)H264NalUnitType.FuB;

    /// <inheritdoc />
    protected override bool IsAggregatable(int type)
        => type is not ((int)H264NalUnitType.Unspecified or >= (int)H264NalUnitType.StapA);

    /// <inheritdoc />
    protected override bool IsKeyUnit(int type) => type == (int)H264NalUnitType.Idr;

    /// <inheritdoc />
    protected override bool IsDeltaSlice(int type) => type == (int)H264NalUnitType.Slice;

    protected override bool OpensAccessUnit(int type) => type is (int)H264NalUnitType.AccessUnitDelimiter or (int)H264NalUnitType.Sps;

    /// <inheritdoc />
    protected override bool TryRejectType(int type, out RtpDepacketizeStatus status)
    {
        status = type switch
        {
            (int)H264NalUnitType.Unspecified or (int)H264NalUnitType.Reserved30 or (int)H264NalUnitType.Reserved31
                => RtpDepacketizeStatus.Skipped,
            (int)H264NalUnitType.StapB or (int)H264NalUnitType.Mtap16 or (int)H264NalUnitType.Mtap24 or (int)H264NalUnitType.FuB
                => RtpDepacketizeStatus.Unsupported,
            _ => RtpDepacketizeStatus.Ok,
        };
        return status != RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    protected override int ReadFragmentType(byte fragmentHeader) => fragmentHeader & 0x1F;

    /// <inheritdoc />
    protected override void WriteFragmentedHeader(ReadOnlySpan<byte> payload, int nalType, Span<byte> destination)
        => destination[0] = (byte)((payload[0] & 0xE0) | nalType); // F and NRI from the FU indicator
}
