namespace Kvs.WebRtc.Testing.Media;

/// <summary>
/// Splits an Annex-B H.264 or H.265 elementary stream into access units (frames), without relying on access unit
/// delimiters. A new access unit starts at (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4):
/// an AUD; a parameter set, prefix SEI or reserved prefix NAL after the current unit's first VCL NAL; or a VCL NAL
/// that opens a picture (H.264: <c>first_mb_in_slice</c> = 0, i.e. its ue(v) starts with bit 1; H.265:
/// <c>first_slice_segment_in_pic_flag</c> = 1) when the current unit already has a VCL NAL.
/// </summary>
/// <remarks>
/// Linear in the input, never reads past it; a stream that is not Annex-B (no leading start code, a forbidden_zero_bit
/// set, a slice with no header byte, no coded picture at all) gives an <see cref="InvalidDataException"/>.
/// </remarks>
public static class AnnexBReader
{
    /// <summary>Largest file <see cref="ReadFile"/> accepts.</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>Reads a file and splits it (see <see cref="Read"/>).</summary>
    public static IReadOnlyList<AnnexBAccessUnit> ReadFile(string path, AnnexBCodec codec, double framesPerSecond)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"{path}: {info.Length} bytes is more than the {MaxFileBytes} this reader accepts.");
        }

        return Read(File.ReadAllBytes(path), codec, framesPerSecond);
    }

    /// <summary>Splits <paramref name="stream"/> into access units, time-stamped at <paramref name="framesPerSecond"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an Annex-B stream of <paramref name="codec"/>.</exception>
    public static IReadOnlyList<AnnexBAccessUnit> Read(ReadOnlyMemory<byte> stream, AnnexBCodec codec, double framesPerSecond)
    {
        if (!(framesPerSecond > 0 && framesPerSecond < 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, "A frame rate in (0, 10000) is required.");
        }

        var units = new List<AnnexBAccessUnit>();
        var span = stream.Span;
        if (FindStartCode(span, 0, out var firstLength) != 0)
        {
            throw new InvalidDataException("Not an Annex-B stream: it does not begin with a start code (00 00 01 or 00 00 00 01).");
        }

        var auStart = 0;          // offset of the current access unit's first start code
        var auHasVcl = false;
        var auIsKey = false;
        var anyVcl = false;
        var nalStart = 0;         // offset of the current NAL's start code
        var startCodeLength = firstLength;
        while (nalStart < span.Length)
        {
            var payloadStart = nalStart + startCodeLength;
            var next = FindStartCode(span, payloadStart, out var nextLength);
            var nalEnd = next < 0 ? span.Length : next;
            var nal = TrimTrailingZeros(span[payloadStart..nalEnd]);
            if (!nal.IsEmpty)
            {
                var kind = Classify(nal, codec, nalStart);
                var opensUnit = kind switch
                {
                    NalKind.Delimiter => nalStart > auStart,
                    NalKind.PrefixNonVcl => auHasVcl,
                    NalKind.FirstSliceOfPicture => auHasVcl,
                    _ => false,
                };
                if (opensUnit)
                {
                    units.Add(MakeUnit(stream, auStart, nalStart, auIsKey, units.Count, framesPerSecond));
                    auStart = nalStart;
                    auHasVcl = false;
                    auIsKey = false;
                }

                if (kind is NalKind.FirstSliceOfPicture or NalKind.OtherSlice)
                {
                    auHasVcl = true;
                    anyVcl = true;
                    auIsKey |= IsKeyNal(nal, codec);
                }
            }

            if (next < 0)
            {
                break;
            }

            nalStart = next;
            startCodeLength = nextLength;
        }

        if (!anyVcl)
        {
            throw new InvalidDataException($"No coded picture (VCL NAL unit) in {span.Length} bytes of {codec} Annex-B data.");
        }

        units.Add(MakeUnit(stream, auStart, span.Length, auIsKey, units.Count, framesPerSecond));
        return units;
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

    private static NalKind Classify(ReadOnlySpan<byte> nal, AnnexBCodec codec, int offset)
    {
        if ((nal[0] & 0x80) != 0)
        {
            throw new InvalidDataException($"NAL unit at byte {offset} has forbidden_zero_bit set: not {codec} Annex-B data.");
        }

        var type = NalType(nal, codec);
        if (codec == AnnexBCodec.H264)
        {
            switch (type)
            {
                case 9:
                    return NalKind.Delimiter;
                case 6 or 7 or 8 or (>= 14 and <= 18):
                    return NalKind.PrefixNonVcl;
                case >= 1 and <= 5:
                    if (nal.Length < 2)
                    {
                        throw new InvalidDataException($"H.264 slice NAL unit at byte {offset} has no slice header.");
                    }

                    // first_mb_in_slice is ue(v): it is 0 exactly when its first bit is 1.
                    return (nal[1] & 0x80) != 0 ? NalKind.FirstSliceOfPicture : NalKind.OtherSlice;
                default:
                    return NalKind.Other;
            }
        }

        if (nal.Length < 2)
        {
            throw new InvalidDataException($"H.265 NAL unit at byte {offset} is shorter than its two-byte header.");
        }

        switch (type)
        {
            case 35:
                return NalKind.Delimiter;
            case 32 or 33 or 34 or 39 or (>= 41 and <= 44) or (>= 48 and <= 55):
                return NalKind.PrefixNonVcl;
            case <= 31:
                if (nal.Length < 3)
                {
                    throw new InvalidDataException($"H.265 slice NAL unit at byte {offset} has no slice segment header.");
                }

                return (nal[2] & 0x80) != 0 ? NalKind.FirstSliceOfPicture : NalKind.OtherSlice;
            default:
                return NalKind.Other;
        }
    }

    private static bool IsKeyNal(ReadOnlySpan<byte> nal, AnnexBCodec codec)
    {
        var type = NalType(nal, codec);
        return codec == AnnexBCodec.H264 ? type == 5 : type is >= 16 and <= 21;
    }

    private static AnnexBAccessUnit MakeUnit(ReadOnlyMemory<byte> stream, int start, int end, bool isKey, int index, double framesPerSecond) =>
        new(stream[start..end], isKey, index, TimeSpan.FromTicks((long)Math.Round(index * TimeSpan.TicksPerSecond / framesPerSecond)));
}
