namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>CRC-32 (ISO-HDLC / IEEE 802.3, reflected polynomial 0xEDB88320), as used by STUN FINGERPRINT.</summary>
/// <remarks>RFC 8489 §14.7 refers to the CRC-32 of ITU V.42 / RFC 1952.</remarks>
internal static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var table = s_table;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
