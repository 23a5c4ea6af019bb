using System.Buffers;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Splits an Annex-B H.264 or H.265 elementary stream into access units (frames), without relying on access unit
/// delimiters. A new access unit starts at (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4):
/// an AUD; a parameter set, prefix SEI or reserved prefix NAL after the current unit's first VCL NAL; or a VCL NAL
/// that opens a picture (H.264: <c>first_mb_in_slice</c> = 0, i.e. its ue(v) starts with bit 1; H.265:
/// <c>first_slice_segment_in_pic_flag</c> = 1) when the current unit already has a VCL NAL.
/// </summary>
/// <remarks>
/// Linear in the input, never reads past it; a stream that is not Annex-B (no leading start code, a forbidden_zero_bit
/// set, a slice with no header byte, no coded picture at all) gives a <see cref="MediaFormatException"/> with the
/// byte offset. <see cref="SplitNext"/> is the incremental form used for pipes (stdin from ffmpeg or GStreamer).
/// </remarks>
public static class AnnexBReader
{
    /// <summary>Largest file <see cref="ReadFile"/> accepts.</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>Reads a file and splits it (see <see cref="Read"/>).</summary>
    /// <exception cref="MediaFormatException">The file is too big or not an Annex-B stream of <paramref name="codec"/>.</exception>
    public static IReadOnlyList<AnnexBAccessUnit> ReadFile(string path, AnnexBCodec codec, double framesPerSecond)
    {
        var data = MediaFiles.ReadAllBytes(path, MaxFileBytes);
        try
        {
            return Read(data, codec, framesPerSecond);
        }
        catch (MediaFormatException ex)
        {
            throw ex.At(path);
        }
    }

    /// <summary>Splits <paramref name="stream"/> into access units, time-stamped at <paramref name="framesPerSecond"/>.</summary>
    /// <exception cref="MediaFormatException">The bytes are not an Annex-B stream of <paramref name="codec"/>.</exception>
    public static IReadOnlyList<AnnexBAccessUnit> Read(ReadOnlyMemory<byte> stream, AnnexBCodec codec, double framesPerSecond)
    {
        ValidateFrameRate(framesPerSecond);
        var units = new List<AnnexBAccessUnit>();
        var offset = 0;
        var anyVcl = false;
        do
        {
            var status = SplitNext(stream.Span[offset..], codec, isFinalBlock: true, out var length, out var isKey, out var hasVcl, out var error);
            if (status != OperationStatus.Done)
            {
                throw new MediaFormatException(error.Reason, offset + error.Offset);
            }

            anyVcl |= hasVcl;
            units.Add(new AnnexBAccessUnit(stream.Slice(offset, length), isKey, units.Count, FrameTime(units.Count, framesPerSecond)));
            offset += length;
        }
        while (offset < stream.Length);

        if (!anyVcl)
        {
            throw new MediaFormatException($"No coded picture (VCL NAL unit) in {stream.Length} bytes of {codec} Annex-B data.", 0);
        }

        return units;
    }

    /// <summary>
    /// Finds the first access unit of <paramref name="data"/>, which must begin with a start code.
    /// </summary>
    /// <param name="data">Annex-B bytes from the start of an access unit.</param>
    /// <param name="codec">The NAL unit syntax.</param>
    /// <param name="isFinalBlock">True when no more bytes follow: the rest is then the last access unit.</param>
    /// <param name="length">The access unit's length (from its first start code to the next unit's), when done.</param>
    /// <param name="isKeyFrame">True when it holds an IDR (H.264) or IRAP (H.265) slice.</param>
    /// <param name="hasVcl">True when it holds a coded slice.</param>
    /// <param name="error">Why the data is invalid, with the offset in <paramref name="data"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> (read more and call again
    /// with the longer data) or <see cref="OperationStatus.InvalidData"/>.</returns>
    internal static OperationStatus SplitNext(
        ReadOnlySpan<byte> data, AnnexBCodec codec, bool isFinalBlock, out int length, out bool isKeyFrame, out bool hasVcl, out (string Reason, int Offset) error)
    {
        length = 0;
        isKeyFrame = false;
        hasVcl = false;
        error = default;
        if (data.Length < 4 && !isFinalBlock)
        {
            return OperationStatus.NeedMoreData;
        }

        if (FindStartCode(data, 0, out var startCodeLength) != 0)
        {
            error = ("Not an Annex-B stream: it does not begin with a start code (00 00 01 or 00 00 00 01).", 0);
            return OperationStatus.InvalidData;
        }

        var nalStart = 0;
        while (true)
        {
            var payloadStart = nalStart + startCodeLength;
            var next = FindStartCode(data, payloadStart, out var nextLength);
            var terminated = next >= 0 || isFinalBlock;
            var nal = TrimTrailingZeros(data[payloadStart..(next < 0 ? data.Length : next)]);
            if (!terminated && nal.Length < 3)
            {
                return OperationStatus.NeedMoreData;
            }

            if (!nal.IsEmpty)
            {
                if (!TryClassify(nal, codec, out var kind, out var reason))
                {
                    error = (reason, nalStart);
                    return OperationStatus.InvalidData;
                }

                var opensUnit = kind switch
                {
                    NalKind.Delimiter => nalStart > 0,
                    NalKind.PrefixNonVcl or NalKind.FirstSliceOfPicture => hasVcl,
                    _ => false,
                };
                if (opensUnit)
                {
                    length = nalStart;
                    return OperationStatus.Done;
                }

                if (kind is NalKind.FirstSliceOfPicture or NalKind.OtherSlice)
                {
                    hasVcl = true;
                    isKeyFrame |= IsKeyNal(nal, codec);
                }
            }

            if (next < 0)
            {
                if (!isFinalBlock)
                {
                    return OperationStatus.NeedMoreData;
                }

                length = data.Length;
                return OperationStatus.Done;
            }

            nalStart = next;
            startCodeLength = nextLength;
        }
    }

    /// <summary>
    /// The NAL units of an Annex-B fragment (an access unit or a whole stream) without start codes or trailing zeros;
    /// empty NAL units are skipped. Bytes before the first start code are ignored.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> SplitNalUnits(ReadOnlyMemory<byte> annexB)
    {
        var result = new List<ReadOnlyMemory<byte>>();
        var span = annexB.Span;
        var start = FindStartCode(span, 0, out var length);
        while (start >= 0)
        {
            var payloadStart = start + length;
            var next = FindStartCode(span, payloadStart, out var nextLength);
            var end = next < 0 ? span.Length : next;
            var trimmed = TrimTrailingZeros(span[payloadStart..end]).Length;
            if (trimmed > 0)
            {
                result.Add(annexB.Slice(payloadStart, trimmed));
            }

            start = next;
            length = nextLength;
        }

        return result;
    }

    /// <summary>The NAL unit type (H.264: low 5 bits of byte 0; H.265: bits 1..6 of byte 0); -1 for an empty NAL.</summary>
    public static int NalType(ReadOnlySpan<byte> nal, AnnexBCodec codec) =>
        nal.IsEmpty ? -1 : codec == AnnexBCodec.H264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F;

    /// <summary>True for a parameter set NAL type (H.264 SPS 7, PPS 8; H.265 VPS 32, SPS 33, PPS 34).</summary>
    internal static bool IsParameterSet(int nalType, AnnexBCodec codec) =>
        codec == AnnexBCodec.H264 ? nalType is 7 or 8 : nalType is 32 or 33 or 34;

    internal static void ValidateFrameRate(double framesPerSecond)
    {
        if (!(framesPerSecond > 0 && framesPerSecond < 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, "A frame rate in (0, 10000) is required.");
        }
    }

    internal static TimeSpan FrameTime(long index, double framesPerSecond) =>
        TimeSpan.FromTicks((long)Math.Round(index * TimeSpan.TicksPerSecond / framesPerSecond));

    /// <summary>
    /// Finds the next start code at or after <paramref name="from"/>: returns the offset of its first byte (a zero byte
    /// before <c>00 00 01</c> counts as part of a 4-byte start code) and its length, or -1.
    /// </summary>
    private static int FindStartCode(ReadOnlySpan<byte> span, int from, out int length)
    {
        length = 0;
        if (from >= span.Length)
        {
            return -1;
        }

        var found = span[from..].IndexOf((ReadOnlySpan<byte>)[0, 0, 1]);
        if (found < 0)
        {
            return -1;
        }

        var at = from + found;
        if (at > from && span[at - 1] == 0)
        {
            length = 4;
            return at - 1;
        }

        length = 3;
        return at;
    }

    private static ReadOnlySpan<byte> TrimTrailingZeros(ReadOnlySpan<byte> nal)
    {
        var end = nal.Length;
        while (end > 0 && nal[end - 1] == 0)
        {
            end--;
        }

        return nal[..end];
    }

    private enum NalKind
    {
        Delimiter,
        PrefixNonVcl,
        FirstSliceOfPicture,
        OtherSlice,
        Other,
    }

    private static bool TryClassify(ReadOnlySpan<byte> nal, AnnexBCodec codec, out NalKind kind, out string reason)
    {
        kind = NalKind.Other;
        reason = string.Empty;
        if ((nal[0] & 0x80) != 0)
        {
            reason = $"NAL unit has forbidden_zero_bit set: not {codec} Annex-B data.";
            return false;
        }

        var type = NalType(nal, codec);
        if (codec == AnnexBCodec.H264)
        {
            switch (type)
            {
                case 9:
                    kind = NalKind.Delimiter;
                    return true;
                case 6 or 7 or 8 or (>= 14 and <= 18):
                    kind = NalKind.PrefixNonVcl;
                    return true;
                case >= 1 and <= 5:
                    if (nal.Length < 2)
                    {
                        reason = "H.264 slice NAL unit has no slice header.";
                        return false;
                    }

                    // first_mb_in_slice is ue(v): it is 0 exactly when its first bit is 1.
                    kind = (nal[1] & 0x80) != 0 ? NalKind.FirstSliceOfPicture : NalKind.OtherSlice;
                    return true;
                default:
                    return true;
            }
        }

        if (nal.Length < 2)
        {
            reason = "H.265 NAL unit is shorter than its two-byte header.";
            return false;
        }

        switch (type)
        {
            case 35:
                kind = NalKind.Delimiter;
                return true;
            case 32 or 33 or 34 or 39 or (>= 41 and <= 44) or (>= 48 and <= 55):
                kind = NalKind.PrefixNonVcl;
                return true;
            case <= 31:
                if (nal.Length < 3)
                {
                    reason = "H.265 slice NAL unit has no slice segment header.";
                    return false;
                }

                kind = (nal[2] & 0x80) != 0 ? NalKind.FirstSliceOfPicture : NalKind.OtherSlice;
                return true;
            default:
                return true;
        }
    }

    private static bool IsKeyNal(ReadOnlySpan<byte> nal, AnnexBCodec codec)
    {
        var type = NalType(nal, codec);
        return codec == AnnexBCodec.H264 ? type == 5 : type is >= 16 and <= 21;
    }
}
