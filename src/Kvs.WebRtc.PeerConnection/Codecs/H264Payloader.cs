namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.264 payloader, RFC 6184 packetization-mode 1 (non-interleaved): single NAL unit packets (§5.6), STAP-A
/// aggregation of consecutive small NAL units such as SPS+PPS (§5.7.1), FU-A fragments for NAL units larger than the
/// payload size (§5.8).
/// </summary>
/// <remarks>
/// Input is one access unit, Annex-B or length-prefixed. Access unit delimiters and filler data are not sent. The
/// last SPS and PPS seen are cached; an IDR access unit without them gets the cached ones in front
/// (<see cref="RtpPayloaderFrameFlags.ParameterSetsInserted"/>), or is sent as is and flagged
/// <see cref="RtpPayloaderFrameFlags.MissingParameterSets"/> when none was ever seen. A STAP-A's NRI is the
/// highest NRI of its units and its F bit their OR (§5.7.1).
/// </remarks>
internal sealed class H264Payloader : NalUnitPayloader
{
    /// <summary>Creates an H.264 payloader.</summary>
    /// <param name="format">Annex-B (default) or length-prefixed access units.</param>
    /// <param name="lengthSize">Length prefix size for <see cref="NalUnitStreamFormat.LengthPrefixed"/> (1–4, default 4).</param>
    public H264Payloader(NalUnitStreamFormat format = NalUnitStreamFormat.AnnexB, int lengthSize = 4)
        : base(format, lengthSize, parameterSetKinds: 2)
    {
    }

    /// <inheritdoc />
    protected override int NalHeaderLength => 1;

    /// <inheritdoc />
    protected override int AggregationHeaderLength => 1;

    /// <inheritdoc />
    protected override int FragmentHeaderLength => 2;

    /// <inheritdoc />
    protected override int GetNalType(ReadOnlySpan<byte> nal) => nal[0] & 0x1F;

    /// <inheritdoc />
    protected override int GetParameterSetKind(int nalType) => nalType switch
    {
        (int)H264NalUnitType.Sps => 0,
        (int)H264NalUnitType.Pps => 1,
        _ => -1,
    };

    /// <inheritdoc />
    protected override bool IsKeyFrameNal(int nalType) => nalType == (int)H264NalUnitType.Idr;

    /// <inheritdoc />
    protected override bool IsDropped(int nalType) =>
        nalType is (int)H264NalUnitType.AccessUnitDelimiter or (int)H264NalUnitType.FillerData;

    /// <inheritdoc />
    protected override void WriteAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> firstNal) =>
        destination[0] = (byte)((firstNal[0] & 0xE0) | (int)H264NalUnitType.StapA);

    /// <inheritdoc />
    protected override void MergeAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> nal)
    {
        var forbidden = (destination[0] | nal[0]) & 0x80;
        var nri = Math.Max(destination[0] & 0x60, nal[0] & 0x60);
        destination[0] = (byte)(forbidden | nri | (int)H264NalUnitType.StapA);
    }

    /// <inheritdoc />
    protected override void WriteFragmentHeader(Span<byte> destination, ReadOnlySpan<byte> nal, bool start, bool end)
    {
        destination[0] = (byte)((nal[0] & 0xE0) | (int)H264NalUnitType.FuA);
        destination[1] = (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1F));
    }
}
