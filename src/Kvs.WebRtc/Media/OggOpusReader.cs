using System.Buffers.Binary;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Reads Ogg Opus files (RFC 3533 pages, RFC 7845 mapping): pages are checked (capture pattern, version, CRC-32),
/// packets are reassembled from the lacing values (also across pages), the first logical stream is kept, its
/// OpusHead and OpusTags packets are parsed/skipped, and every audio packet gets its duration from the TOC byte.
/// A broken file gives a <see cref="MediaFormatException"/>; nothing reads past the input.
/// </summary>
public static class OggOpusReader
{
    /// <summary>Largest file <see cref="ReadFile"/> accepts.</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>Largest packet accepted (Ogg itself has no limit; 1 MiB bounds a garbage chain of continued pages).</summary>
    public const int MaxPacketBytes = 1 << 20;

    private const int PageHeaderSize = 27;
    private static readonly uint[] s_crcTable = BuildCrcTable();

    /// <summary>Reads an Ogg Opus file.</summary>
    public static OggOpusFile ReadFile(string path)
    {
        var data = MediaFiles.ReadAllBytes(path, MaxFileBytes);
        try
        {
            return Read(data);
        }
        catch (MediaFormatException ex)
        {
            throw ex.At(path);
        }
    }

    /// <summary>Parses Ogg Opus bytes.</summary>
    /// <exception cref="MediaFormatException">Not Ogg, a bad page or CRC, no OpusHead, or an invalid Opus packet.</exception>
    public static OggOpusFile Read(ReadOnlyMemory<byte> data)
    {
        var packets = ReadPackets(data, out var finalGranule);
        if (packets.Count == 0 || !packets[0].Span.StartsWith("OpusHead"u8) || packets[0].Length < 19)
        {
            throw new MediaFormatException("Not an Ogg Opus file: the first packet is not a 19-byte or longer OpusHead.");
        }

        var head = packets[0].Span;
        if (head[8] >> 4 != 0)
        {
            throw new MediaFormatException($"OpusHead version {head[8]} is not supported (major version must be 0).");
        }

        int channels = head[9];
        int preSkip = BinaryPrimitives.ReadUInt16LittleEndian(head[10..]);
        var inputRate = BinaryPrimitives.ReadUInt32LittleEndian(head[12..]);
        if (channels == 0)
        {
            throw new MediaFormatException("OpusHead declares 0 channels.");
        }

        if (packets.Count < 2 || !packets[1].Span.StartsWith("OpusTags"u8))
        {
            throw new MediaFormatException("Not an Ogg Opus file: the second packet is not OpusTags.");
        }

        var audio = new List<OpusPacket>(packets.Count - 2);
        long timestamp = 0;
        for (var i = 2; i < packets.Count; i++)
        {
            if (!TryGetDurationSamples(packets[i].Span, out var samples))
            {
                throw new MediaFormatException($"Opus packet {i - 2} ({packets[i].Length} bytes) has an invalid TOC/frame count (RFC 6716 §3.1).");
            }

            audio.Add(new OpusPacket(packets[i], samples, timestamp));
            timestamp += samples;
        }

        return new OggOpusFile(channels, preSkip, inputRate, finalGranule, audio);
    }

    /// <summary>
    /// The duration of an Opus packet in 48 kHz samples from its TOC byte (RFC 6716 §3.1): the frame size of its
    /// configuration times its frame count (code 0: 1; codes 1 and 2: 2; code 3: the count in the second byte).
    /// False for an empty packet, a code 3 packet without a count byte, a count of 0, or more than 120 ms.
    /// </summary>
    public static bool TryGetDurationSamples(ReadOnlySpan<byte> packet, out int samples)
    {
        samples = 0;
        if (packet.IsEmpty)
        {
            return false;
        }

        var config = packet[0] >> 3;
        int frameSamples;
        if (config < 12)
        {
            // SILK-only, NB/MB/WB: 10, 20, 40, 60 ms.
            frameSamples = (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 };
        }
        else if (config < 16)
        {
            // Hybrid SWB/FB: 10, 20 ms.
            frameSamples = (config & 1) == 0 ? 480 : 960;
        }
        else
        {
            // CELT-only NB/WB/SWB/FB: 2.5, 5, 10, 20 ms.
            frameSamples = 120 << (config & 3);
        }

        int frames;
        switch (packet[0] & 3)
        {
            case 0:
                frames = 1;
                break;
            case 1 or 2:
                frames = 2;
                break;
            default:
                if (packet.Length < 2)
                {
                    return false;
                }

                frames = packet[1] & 0x3F;
                break;
        }

        if (frames == 0 || frames * frameSamples > 5760)
        {
            return false;
        }

        samples = frames * frameSamples;
        return true;
    }

    /// <summary>Reassembles the packets of the first logical stream.</summary>
    private static List<ReadOnlyMemory<byte>> ReadPackets(ReadOnlyMemory<byte> data, out long finalGranule)
    {
        finalGranule = 0;
        var span = data.Span;
        var packets = new List<ReadOnlyMemory<byte>>();
        var pending = new List<byte>();
        var pendingOpen = false;
        uint? serial = null;
        uint expectedSequence = 0;
        var offset = 0;
        var pageIndex = 0;
        while (offset < span.Length)
        {
            var rest = span[offset..];
            if (rest.Length < PageHeaderSize || !rest.StartsWith("OggS"u8))
            {
                throw new MediaFormatException($"Ogg page {pageIndex}: no 'OggS' capture pattern / truncated page header.", offset);
            }

            if (rest[4] != 0)
            {
                throw new MediaFormatException($"Ogg page {pageIndex}: stream structure version {rest[4]} is not 0.", offset);
            }

            var flags = rest[5];
            var pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(rest[14..]);
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(rest[18..]);
            var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(rest[22..]);
            int segmentCount = rest[26];
            if (rest.Length < PageHeaderSize + segmentCount)
            {
                throw new MediaFormatException($"Ogg page {pageIndex}: truncated segment table.", offset);
            }

            var lacing = rest.Slice(PageHeaderSize, segmentCount);
            var bodyLength = 0;
            foreach (var value in lacing)
            {
                bodyLength += value;
            }

            var pageLength = PageHeaderSize + segmentCount + bodyLength;
            if (rest.Length < pageLength)
            {
                throw new MediaFormatException($"Ogg page {pageIndex}: body of {bodyLength} bytes runs past the end.", offset);
            }

            if (Crc(rest[..pageLength]) != storedCrc)
            {
                throw new MediaFormatException($"Ogg page {pageIndex}: CRC mismatch.", offset);
            }

            serial ??= pageSerial;
            if (pageSerial == serial)
            {
                if (pageIndex > 0 && sequence != expectedSequence)
                {
                    throw new MediaFormatException($"Ogg page: sequence {sequence}, expected {expectedSequence} (a page is missing).", offset);
                }

                expectedSequence = sequence + 1;
                var granule = BinaryPrimitives.ReadInt64LittleEndian(rest[6..]);
                if (granule != -1)
                {
                    finalGranule = granule; // -1: no packet ends on this page
                }

                var continued = (flags & 0x01) != 0;
                if (pendingOpen && !continued)
                {
                    throw new MediaFormatException($"Ogg page {pageIndex}: a packet was left open but the page is not marked continued.", offset);
                }

                if (!pendingOpen && continued)
                {
                    throw new MediaFormatException($"Ogg page {pageIndex}: marked continued, but no packet is open.", offset);
                }

                var body = data.Slice(offset + PageHeaderSize + segmentCount, bodyLength);
                var position = 0;
                foreach (var value in lacing)
                {
                    if (pending.Count + value > MaxPacketBytes)
                    {
                        throw new MediaFormatException($"Ogg packet longer than {MaxPacketBytes} bytes.");
                    }

                    pending.AddRange(body.Span.Slice(position, value));
                    position += value;
                    pendingOpen = value == 255;
                    if (!pendingOpen)
                    {
                        packets.Add(pending.ToArray());
                        pending.Clear();
                    }
                }

                pageIndex++;
            }

            offset += pageLength;
        }

        if (pendingOpen)
        {
            throw new MediaFormatException("The Ogg stream ends inside a packet (the last page's last lacing value is 255).");
        }

        return packets;
    }

    /// <summary>Ogg CRC-32 (polynomial 0x04C11DB7, not reflected, initial 0) over the page with its CRC field as zero.</summary>
    internal static uint Crc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (var i = 0; i < page.Length; i++)
        {
            var b = i is >= 22 and < 26 ? (byte)0 : page[i];
            crc = (crc << 8) ^ s_crcTable[(byte)(crc >> 24) ^ b];
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var r = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}
