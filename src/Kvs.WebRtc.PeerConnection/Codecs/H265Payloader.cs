namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.265 payloader, RFC 7798 without DONL (sprop-max-don-diff=0): single NAL unit packets (§4.4.1), aggregation
/// packets of consecutive small units such as VPS+SPS+PPS (§4.4.2), fragmentation units for large ones (§4.4.3).
/// </summary>
/// <remarks>
/// The last VPS, SPS and PPS are cached and put in front of an IRAP access unit that lacks them (as for H.264).
/// An AP's F bit is the OR of its units', its LayerId and TID the lowest of theirs (§4.4.2).
/// </remarks>
internal sealed class H265Payloader : NalUnitPayloader
{
    /// <summary>Creates an H.265 payloader.</summary>
    /// <param name="format">Annex-B (default) or length-prefixed access units.</param>
    /// <param name="lengthSize">Length prefix size for <see cref="NalUnitStreamFormat.LengthPrefixed"/> (1–4, default 4).</param>
    public H265Payloader(NalUnitStreamFormat format = NalUnitStreamFormat.AnnexB, int lengthSize = 4)
        : base(format, lengthSize, parameterSetKinds: 3)
    {
    }

    /// <inheritdoc />
    protected override int NalHeaderLength => 2;

    /// <inheritdoc />
    protected override int AggregationHeaderLength => 2;

    /// <inheritdoc />
    protected override int FragmentHeaderLength => 3;

    /// <inheritdoc />
    protected override int GetNalType(ReadOnlySpan<byte> nal) => (nal[0] >> 1) & 0x3F;

    /// <inheritdoc />
    protected override int GetParameterSetKind(int nalType) => nalType switch
    {
        (int)H265NalUnitType.Vps => 0,
        (int)H265NalUnitType.Sps => 1,
        (int)H265NalUnitType.Pps => 2,
        _ => -1,
    };

    /// <inheritdoc />
    protected override bool IsKeyFrameNal(int nalType) => H265AccessUnit.IsIrap(nalType);

    /// <inheritdoc />
    protected override bool IsDropped(int nalType) =>
        nalType is (int)H265NalUnitType.AccessUnitDelimiter or (int)H265NalUnitType.FillerData;

    /// <inheritdoc />
    protected override void WriteAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> firstNal)
    {
        destination[0] = (byte)((firstNal[0] & 0x81) | ((int)H265NalUnitType.AggregationPacket << 1));
        destination[1] = firstNal[1];
    }

    /// <inheritdoc />
    protected override void MergeAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> nal)
    {
        var forbidden = (destination[0] | nal[0]) & 0x80;
        var layerId = Math.Min(LayerId(destination), LayerId(nal));
        var tid = Math.Min(destination[1] & 0x07, nal[1] & 0x07);
        destination[0] = (byte)(forbidden | ((int)H265NalUnitType.AggregationPacket << 1) | (layerId >> 5));
        destination[1] = (byte)(((layerId & 0x1F) << 3) | tid);
    }

    /// <inheritdoc />
    protected override void WriteFragmentHeader(Span<byte> destination, ReadOnlySpan<byte> nal, bool start, bool end)
    {
        destination[0] = (byte)((nal[0] & 0x81) | ((int)H265NalUnitType.FragmentationUnit << 1));
        destination[1] = nal[1];
        destination[2] = (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | ((nal[0] >> 1) & 0x3F));
    }

    private static int LayerId(ReadOnlySpan<byte> header) => ((header[0] & 0x01) << 5) | (header[1] >> 3);
}
