using System.Buffers.Binary;

namespace Kvs.WebRtc.Tests.Media;

/// <summary>Builds Ogg pages for reader tests (RFC 3533), with a bitwise CRC independent of the reader's table.</summary>
internal static class OggPageWriter
{
    /// <summary>One page holding <paramref name="packets"/>; with <paramref name="endsOpen"/> the last packet continues on the next page.</summary>
    public static byte[] Page(byte flags, long granule, IReadOnlyList<byte[]> packets, uint sequence, bool endsOpen = false)
    {
        var lacing = new List<byte>();
        var body = new List<byte>();
        for (var i = 0; i < packets.Count; i++)
        {
            var length = packets[i].Length;
            var open = endsOpen && i == packets.Count - 1;
            if (open && length % 255 != 0)
            {
                throw new ArgumentException("An open packet must fill whole 255-byte segments.", nameof(packets));
            }

            for (; length >= 255; length -= 255)
            {
                lacing.Add(255);
            }

            if (!open)
            {
                lacing.Add((byte)length);
            }

            body.AddRange(packets[i]);
        }

        var page = new byte[27 + lacing.Count + body.Count];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), 0x1234);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = (byte)lacing.Count;
        lacing.CopyTo(page, 27);
        body.CopyTo(page, 27 + lacing.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Crc(page));
        return page;
    }

    public static byte[] Build(params byte[][] pages) => pages.SelectMany(p => p).ToArray();

    private static uint Crc(byte[] page)
    {
        uint crc = 0;
        foreach (var b in page)
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000_0000) != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1;
            }
        }

        return crc;
    }
}
