namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// ITU-T G.711 companding of 16-bit linear PCM: μ-law (PCMU) and A-law (PCMA), one byte per sample, for tests and
/// samples. RTP payload types 0 and 8, 8 kHz clock (RFC 3551 §4.5.14).
/// </summary>
/// <remarks>Decoding is a 256-entry table per law; encoding is computed (segment search on 8 thresholds).</remarks>
internal static class G711
{
    /// <summary>The RTP clock rate of PCMU and PCMA.</summary>
    public const int ClockRate = 8000;

    private const int MuLawBias = 0x84;
    private const int MuLawClip = 8159;

    private static readonly short[] s_muLawToLinear = BuildTable(DecodeMuLawSlow);
    private static readonly short[] s_aLawToLinear = BuildTable(DecodeALawSlow);

    /// <summary>Encodes one sample to μ-law.</summary>
    public static byte EncodeMuLaw(short sample)
    {
        int pcm = sample >> 2; // 14-bit magnitude range
        int mask;
        if (pcm < 0)
        {
            pcm = -pcm;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        pcm = Math.Min(pcm, MuLawClip) + (MuLawBias >> 2);
        var segment = Segment(pcm, 0x3F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        return (byte)(((segment << 4) | ((pcm >> (segment + 1)) & 0x0F)) ^ mask);
    }

    /// <summary>Decodes one μ-law byte.</summary>
    public static short DecodeMuLaw(byte value) => s_muLawToLinear[value];

    /// <summary>Encodes one sample to A-law.</summary>
    public static byte EncodeALaw(short sample)
    {
        int pcm = sample >> 3; // 13-bit
        int mask;
        if (pcm >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            pcm = -pcm - 1;
        }

        var segment = Segment(pcm, 0x1F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var value = (segment << 4) | ((segment < 2 ? pcm >> 1 : pcm >> segment) & 0x0F);
        return (byte)(value ^ mask);
    }

    /// <summary>Decodes one A-law byte.</summary>
    public static short DecodeALaw(byte value) => s_aLawToLinear[value];

    /// <summary>Encodes samples to μ-law; <paramref name="destination"/> needs one byte per sample.</summary>
    public static void EncodeMuLaw(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            destination[i] = EncodeMuLaw(samples[i]);
        }
    }

    /// <summary>Encodes samples to A-law; <paramref name="destination"/> needs one byte per sample.</summary>
    public static void EncodeALaw(ReadOnlySpan<short> samples, Span<byte> destination)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            destination[i] = EncodeALaw(samples[i]);
        }
    }

    /// <summary>Decodes μ-law bytes; <paramref name="destination"/> needs one sample per byte.</summary>
    public static void DecodeMuLaw(ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        for (var i = 0; i < encoded.Length; i++)
        {
            destination[i] = s_muLawToLinear[encoded[i]];
        }
    }

    /// <summary>Decodes A-law bytes; <paramref name="destination"/> needs one sample per byte.</summary>
    public static void DecodeALaw(ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        for (var i = 0; i < encoded.Length; i++)
        {
            destination[i] = s_aLawToLinear[encoded[i]];
        }
    }

    // Index of the first segment whose upper end (firstEnd, then doubling +1 each step) holds the value; 8 if none.
    private static int Segment(int value, int firstEnd)
    {
        var end = firstEnd;
        for (var segment = 0; segment < 8; segment++)
        {
            if (value <= end)
            {
                return segment;
            }

            end = (end << 1) | 1;
        }

        return 8;
    }

    private static short DecodeMuLawSlow(byte value)
    {
        var u = ~value & 0xFF;
        var t = (((u & 0x0F) << 3) + MuLawBias) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? MuLawBias - t : t - MuLawBias);
    }

    private static short DecodeALawSlow(byte value)
    {
        var a = value ^ 0x55;
        var t = (a & 0x0F) << 4;
        var segment = (a & 0x70) >> 4;
        t = segment switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (segment - 1),
        };
        return (short)((a & 0x80) != 0 ? t : -t);
    }

    private static short[] BuildTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = decode((byte)i);
        }

        return table;
    }
}
