using System.Buffers.Binary;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// Appends received frames to a file a player opens: H.264 as an Annex-B elementary stream, Opus as Ogg Opus (RFC 7845,
/// one packet per page, granule positions from each packet's TOC). A file stops growing at a byte limit.
/// </summary>
/// <remarks>Kept in the emulator so that it does not depend on the device package. Not thread-safe.</remarks>
internal sealed class RecordingFileWriter : IAsyncDisposable
{
    private const uint OggSerial = 0x4B565345;

    private readonly FileStream _stream;
    private readonly bool _ogg;
    private readonly long _maxBytes;
    private uint _oggSequence;
    private long _granule;
    private byte[] _scratch = new byte[2048];
    private bool _disposed;

    private RecordingFileWriter(FileStream stream, bool ogg, long maxBytes)
    {
        _stream = stream;
        _ogg = ogg;
        _maxBytes = maxBytes;
    }

    /// <summary>The file.</summary>
    public string Path => _stream.Name;

    /// <summary>Frames written.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>True once the byte limit stopped the file.</summary>
    public bool IsFull { get; private set; }

    /// <summary>Creates the file and writes its header (Ogg: OpusHead and OpusTags pages).</summary>
    public static async Task<RecordingFileWriter> CreateAsync(string path, bool opus, long maxBytes)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 << 10, useAsync: true);
        var writer = new RecordingFileWriter(stream, opus, maxBytes);
        if (opus)
        {
            var head = new byte[19];
            "OpusHead"u8.CopyTo(head);
            head[8] = 1;
            head[9] = 2; // RTP Opus is signalled as stereo
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
            await writer.WritePageAsync(head, 0x02, 0).ConfigureAwait(false);
            var vendor = "Kvs.WebRtc.Emulator"u8;
            var tags = new byte[8 + 4 + vendor.Length + 4];
            "OpusTags"u8.CopyTo(tags);
            BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
            vendor.CopyTo(tags.AsSpan(12));
            await writer.WritePageAsync(tags, 0, 0).ConfigureAwait(false);
        }

        return writer;
    }

    /// <summary>Appends one frame; false when the file is full (the frame is dropped).</summary>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.IsEmpty)
        {
            return true;
        }

        if (IsFull || _stream.Position + frame.Length + 300 > _maxBytes)
        {
            IsFull = true;
            return false;
        }

        if (_ogg)
        {
            _granule += OpusPacketSamples(frame.Span);
            await WritePageAsync(frame, 0, _granule).ConfigureAwait(false);
        }
        else
        {
            await _stream.WriteAsync(frame).ConfigureAwait(false);
        }

        FramesWritten++;
        return true;
    }

    /// <summary>Flushes what was written so far so that readers see whole frames.</summary>
    public Task FlushAsync() => _stream.FlushAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Samples (48 kHz) in an Opus packet from its TOC byte (RFC 6716 §3.1); 960 when unreadable.</summary>
    internal static int OpusPacketSamples(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }

        var toc = packet[0];
        var config = toc >> 3;
        int frameSamples = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 }, // SILK 10/20/40/60 ms
            < 16 => (config & 1) == 0 ? 480 : 960, // hybrid 10/20 ms
            _ => (config & 3) switch { 0 => 120, 1 => 240, 2 => 480, _ => 960 }, // CELT 2.5/5/10/20 ms
        };
        int frames = (toc & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length > 1 ? packet[1] & 0x3F : 1,
        };
        var samples = frameSamples * frames;
        return samples is > 0 and <= 5760 ? samples : 960;
    }

    /// <summary>The Ogg CRC-32 (polynomial 0x04C11DB7, no reflection, initial value 0).</summary>
    internal static uint OggCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }

    private async Task WritePageAsync(ReadOnlyMemory<byte> packet, byte flags, long granule)
    {
        var segments = (packet.Length / 255) + 1;
        if (segments > 255)
        {
            return; // larger than any Opus packet
        }

        var length = 27 + segments + packet.Length;
        if (_scratch.Length < length)
        {
            _scratch = new byte[length];
        }

        var page = _scratch.AsSpan(0, length);
        page.Clear();
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page[6..], granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page[14..], OggSerial);
        BinaryPrimitives.WriteUInt32LittleEndian(page[18..], _oggSequence++);
        page[26] = (byte)segments;
        for (var i = 0; i < segments - 1; i++)
        {
            page[27 + i] = 255;
        }

        page[27 + segments - 1] = (byte)(packet.Length % 255);
        packet.Span.CopyTo(page[(27 + segments)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggCrc(page));
        await _stream.WriteAsync(_scratch.AsMemory(0, length)).ConfigureAwait(false);
    }
}
