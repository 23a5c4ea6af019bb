namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.265 depacketizer, RFC 7798 without DONL: single NAL unit packets, aggregation packets (§4.4.2) and
/// fragmentation units (§4.4.3), written as Annex-B with 4-byte start codes.
/// </summary>
/// <remarks>
/// A key frame holds an IRAP picture (types 16–21). Reserved types 41–47 and unspecified types 51–63 are skipped;
/// PACI (50) is unsupported. A fragment without its start, or a fragmented unit broken off, fails the frame.
/// </remarks>
internal sealed class H265Depacketizer : NalUnitDepacketizer
{
    /// <inheritdoc />
    protected override int HeaderLength => 2;

    /// <inheritdoc />
    protected override int AggregationType => (int)H265NalUnitType.AggregationPacket;

    /// <inheritdoc />
    protected override int FragmentType => (int)H265NalUnitType.FragmentationUnit;

    /// <inheritdoc />
    protected override int ReadType(ReadOnlySpan<byte> header) => (header[0] >> 1) & 0x3F;

    /// <inheritdoc />
    protected override bool IsFragmentation(int type) => type == (int)H265NalUnitType.FragmentationUnit;

    /// <inheritdoc />
    protected override bool IsAggregatable(int type) => type < (int)H265NalUnitType.AggregationPacket;

    /// <inheritdoc />
    protected override bool IsKeyUnit(int type) => H265AccessUnit.IsIrap(type);

    /// <inheritdoc/>
    protected override bool OpensAccessUnit(int type) => type is (int)H265NalUnitType.AccessUnitDelimiter or (int)H265NalUnitType.Vps;

    /// <inheritdoc />
    protected override bool TryRejectType(int type, out RtpDepacketizeStatus status)
    {
        status = type switch
        {
            (int)H265NalUnitType.Paci => RtpDepacketizeStatus.Unsupported,
            >= 41 => RtpDepacketizeStatus.Skipped,
            _ => RtpDepacketizeStatus.Ok,
        };
        return status != RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    protected override int ReadFragmentType(byte fragmentHeader) => fragmentHeader & 0x3F;

    /// <inheritdoc />
    protected override void WriteFragmentedHeader(ReadOnlySpan<byte> payload, int nalType, Span<byte> destination)
    {
        destination[0] = (byte)((payload[0] & 0x81) | (nalType << 1)); // F and the high LayerId bit from the PayloadHdr
        destination[1] = payload[1]; // the rest of LayerId and TID
    }
}
