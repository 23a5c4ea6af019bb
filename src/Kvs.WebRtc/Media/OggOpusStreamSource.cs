using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Opus packets read incrementally from an Ogg Opus stream (ffmpeg <c>-f ogg -</c> or <c>-f opus -</c>): one page at a
/// time, checked (capture pattern, version, CRC), packets reassembled across pages, OpusHead and OpusTags skipped,
/// durations from the TOC byte. Memory: one page (at most 64 KiB) and one packet (at most the frame limit).
/// </summary>
internal sealed class OggOpusStreamSource : IMediaFrameSource
{
    private const int PageHeaderSize = 27;
    private readonly Stream _stream;
    private readonly string? _name;
    private readonly int _maxPacketBytes;
    private readonly byte[] _page = new byte[PageHeaderSize + 255 + (255 * 255)];
    private readonly Queue<byte[]> _packets = new();
    private byte[] _pending = new byte[4096];
    private int _pendingLength;
    private bool _pendingOpen;
    private uint? _serial;
    private long _offset;
    private int _packetIndex;
    private int _audioIndex;
    private bool _ended;

    public OggOpusStreamSource(Stream stream, MediaFileSourceOptions options, string? name)
    {
        _stream = stream;
        _name = name;
        _maxPacketBytes = Math.Min(options.MaxFrameBytes, OggOpusReader.MaxPacketBytes);
    }

    public RTCRtpCodec Codec => RTCRtpCodec.Opus;

    public int? Count => null;

    public bool CanSeek => false;

    public async ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_packets.TryDequeue(out var packet))
            {
                var index = _packetIndex++;
                if (index == 0)
                {
                    if (packet.Length < 19 || !packet.AsSpan().StartsWith("OpusHead"u8) || packet[8] >> 4 != 0 || packet[9] == 0)
                    {
                        throw new MediaFormatException("Not an Ogg Opus stream: the first packet is not a valid OpusHead.", 0, _name);
                    }

                    continue;
                }

                if (index == 1)
                {
                    if (!packet.AsSpan().StartsWith("OpusTags"u8))
                    {
                        throw new MediaFormatException("Not an Ogg Opus stream: the second packet is not OpusTags.", _offset, _name);
                    }

                    continue;
                }

                if (!OggOpusReader.TryGetDurationSamples(packet, out var samples))
                {
                    throw new MediaFormatException($"Opus packet {index - 2} ({packet.Length} bytes) has an invalid TOC/frame count (RFC 6716 §3.1).", _offset, _name);
                }

                return new SourceFrame(packet, TimeSpan.FromTicks(samples * TimeSpan.TicksPerSecond / 48_000), true, _audioIndex++);
            }

            if (_ended || !await ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                _ended = true;
                return null;
            }
        }
    }

    public void Seek(int index) => throw new NotSupportedException("A stream cannot seek.");

    public void Dispose() => _stream.Dispose();

    private async ValueTask<bool> ReadPageAsync(CancellationToken cancellationToken)
    {
        var pageOffset = _offset;
        var got = await ReadFullyAsync(_page.AsMemory(0, PageHeaderSize), cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            if (_pendingOpen)
            {
                throw new MediaFormatException("The Ogg stream ends inside a packet.", pageOffset, _name);
            }

            return false;
        }

        if (got < PageHeaderSize || !_page.AsSpan().StartsWith("OggS"u8) || _page[4] != 0)
        {
            throw new MediaFormatException("No 'OggS' page header of version 0 (or a truncated one).", pageOffset, _name);
        }

        int segments = _page[26];
        if (await ReadFullyAsync(_page.AsMemory(PageHeaderSize, segments), cancellationToken).ConfigureAwait(false) < segments)
        {
            throw new MediaFormatException("Ogg page: truncated segment table.", pageOffset, _name);
        }

        var bodyLength = 0;
        foreach (var value in _page.AsSpan(PageHeaderSize, segments))
        {
            bodyLength += value;
        }

        var bodyStart = PageHeaderSize + segments;
        if (await ReadFullyAsync(_page.AsMemory(bodyStart, bodyLength), cancellationToken).ConfigureAwait(false) < bodyLength)
        {
            throw new MediaFormatException($"Ogg page: body of {bodyLength} bytes runs past the end.", pageOffset, _name);
        }

        var page = _page.AsSpan(0, bodyStart + bodyLength);
        if (OggOpusReader.Crc(page) != BinaryPrimitives.ReadUInt32LittleEndian(page[22..]))
        {
            throw new MediaFormatException("Ogg page: CRC mismatch.", pageOffset, _name);
        }

        var serial = BinaryPrimitives.ReadUInt32LittleEndian(page[14..]);
        _serial ??= serial;
        if (serial != _serial)
        {
            return true; // another logical stream (e.g. a video track muxed in): skipped
        }

        var continued = (page[5] & 0x01) != 0;
        if (continued != _pendingOpen)
        {
            throw new MediaFormatException(continued ? "Ogg page marked continued, but no packet is open." : "A packet was left open but the page is not marked continued.", pageOffset, _name);
        }

        var position = bodyStart;
        foreach (var value in page.Slice(PageHeaderSize, segments))
        {
            if (_pendingLength + value > _maxPacketBytes)
            {
                throw new MediaFormatException($"Ogg packet longer than {_maxPacketBytes} bytes.", pageOffset, _name);
            }

            if (_pending.Length < _pendingLength + value)
            {
                Array.Resize(ref _pending, Math.Min(_maxPacketBytes, Math.Max(_pending.Length * 2, _pendingLength + value)));
            }

            page.Slice(position, value).CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += value;
            position += value;
            _pendingOpen = value == 255;
            if (!_pendingOpen)
            {
                _packets.Enqueue(_pending.AsSpan(0, _pendingLength).ToArray());
                _pendingLength = 0;
            }
        }

        return true;
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var read = await _stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        _offset += read;
        return read;
    }
}
