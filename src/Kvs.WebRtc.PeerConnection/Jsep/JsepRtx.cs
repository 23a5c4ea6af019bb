using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>
/// The RTX formats (RFC 4588 §8.6) we offer with video: one <c>rtx/90000</c> with <c>apt=</c> per video codec, on the
/// payload type after the codec's when free (102→103, 96→97, as browsers number them), else the first free dynamic one.
/// </summary>
internal static class JsepRtx
{
    /// <summary>The encoding name of RTX.</summary>
    public const string EncodingName = "rtx";

    /// <summary>True for an <c>rtx</c> format.</summary>
    public static bool IsRtx(SdpCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return string.Equals(codec.Name, EncodingName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><paramref name="codecs"/> followed by an RTX format for each of them (unchanged when it already lists RTX).</summary>
    public static IReadOnlyList<SdpCodec> WithRtx(IReadOnlyList<SdpCodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        if (codecs.Any(IsRtx))
        {
            return codecs;
        }

        var used = new HashSet<int>(codecs.Select(c => c.PayloadType));
        var result = new List<SdpCodec>(codecs);
        foreach (var codec in codecs)
        {
            var pt = IsDynamic(codec.PayloadType + 1) && !used.Contains(codec.PayloadType + 1) ? codec.PayloadType + 1 : FirstFree(used);
            if (pt < 0)
            {
                break;
            }

            used.Add(pt);
            result.Add(new SdpCodec(pt, EncodingName, codec.ClockRate, null, $"apt={SdpSyntax.Format(codec.PayloadType)}"));
        }

        return result;
    }

    private static bool IsDynamic(int pt) => pt is (>= 96 and <= 127) or (>= 35 and <= 63);

    private static int FirstFree(HashSet<int> used)
    {
        for (var pt = 96; pt <= 127; pt++)
        {
            if (!used.Contains(pt))
            {
                return pt;
            }
        }

        for (var pt = 35; pt <= 63; pt++)
        {
            if (!used.Contains(pt))
            {
                return pt;
            }
        }

        return -1;
    }
}
