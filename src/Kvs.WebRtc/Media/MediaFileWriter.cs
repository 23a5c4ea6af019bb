using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Records encoded frames (e.g. from <see cref="RemoteMediaTrack.ReadFramesAsync"/>) to a file ffmpeg and players
/// open: H.264/H.265 as an Annex-B elementary stream (<c>.h264</c>, <c>.h265</c>), VP8/VP9 as IVF (<c>.ivf</c>,
/// timebase 1/90000 from the RTP timestamps), Opus as Ogg Opus (<c>.ogg</c>, RFC 7845, granule positions from the
/// TOC durations), G.711 as raw samples (<c>.ulaw</c>/<c>.alaw</c>, 8 kHz mono).
/// </summary>
/// <remarks>Not thread-safe: one writer per track. <see cref="DisposeAsync"/> ends the file (IVF frame count, Ogg
/// end-of-stream page) and closes it.</remarks>
public sealed class MediaFileWriter : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Kind _kind;
    private byte[] _scratch = new byte[4096];
    private uint? _firstRtpTimestamp;
    private long _lastPts;
    private uint _lastRtpTimestamp;
    private uint _oggSequence;
    private long _granule;
    private byte[]? _heldPacket;
    private bool _disposed;

    private MediaFileWriter(Stream stream, RTCRtpCodec codec, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Codec = codec;
        _kind = codec.Name.ToUpperInvariant() switch
        {
            "H264" or "H265" => Kind.AnnexB,
            "VP8" or "VP9" => Kind.Ivf,
            "OPUS" => Kind.Ogg,
            "PCMU" or "PCMA" => Kind.Raw,
            _ => throw new ArgumentException($"No file format for {codec.MimeType}.", nameof(codec)),
        };
    }

    /// <summary>The codec of the frames.</summary>
    public RTCRtpCodec Codec { get; }

    /// <summary>Frames written.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>The file extension for <paramref name="codec"/>: <c>.h264</c>, <c>.h265</c>, <c>.ivf</c>, <c>.ogg</c>, <c>.ulaw</c>, <c>.alaw</c>.</summary>
    /// <exception cref="ArgumentException">No file format for the codec.</exception>
    public static string GetExtension(RTCRtpCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return codec.Name.ToUpperInvariant() switch
        {
            "H264" => ".h264",
            "H265" => ".h265",
            "VP8" or "VP9" => ".ivf",
            "OPUS" => ".ogg",
            "PCMU" => ".ulaw",
            "PCMA" => ".alaw",
            _ => throw new ArgumentException($"No file format for {codec.MimeType}.", nameof(codec)),
        };
    }

    /// <summary>Creates (or replaces) <paramref name="path"/> and writes the file header.</summary>
    /// <exception cref="ArgumentException">No file format for the codec.</exception>
    public static async Task<MediaFileWriter> CreateAsync(string path, RTCRtpCodec codec, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(codec);
        GetExtension(codec);
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 64 << 10, useAsync: true);
        return await CreateAsync(stream, codec, leaveOpen: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes to <paramref name="stream"/> (the IVF frame count is patched at the end only when it can seek).</summary>
    /// <exception cref="ArgumentException">No file format for the codec.</exception>
    public static async Task<MediaFileWriter> CreateAsync(Stream stream, RTCRtpCodec codec, bool leaveOpen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(codec);
        var writer = new MediaFileWriter(stream, codec, leaveOpen);
        await writer.WriteHeaderAsync(cancellationToken).ConfigureAwait(false);
        return writer;
    }

    /// <summary>Appends one frame. Empty frames are skipped.</summary>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public async ValueTask WriteAsync(EncodedFrame frame, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Data.IsEmpty)
        {
            return;
        }

        switch (_kind)
        {
            case Kind.AnnexB or Kind.Raw:
                await _stream.WriteAsync(frame.Data, cancellationToken).ConfigureAwait(false);
                break;
            case Kind.Ivf:
                {
                    var pts = IvfPts(frame);
                    var header = new byte[12];
                    BinaryPrimitives.WriteInt32LittleEndian(header, frame.Data.Length);
                    BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(4), pts);
                    await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                    await _stream.WriteAsync(frame.Data, cancellationToken).ConfigureAwait(false);
                    break;
                }

            default:
                // Each packet goes out when the next arrives, so the last one can carry the end-of-stream flag.
                if (_heldPacket is { } held)
                {
                    await WriteOggPacketAsync(held, endOfStream: false, cancellationToken).ConfigureAwait(false);
                }

                _heldPacket = frame.Data.ToArray();
                break;
        }

        FramesWritten++;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_kind == Kind.Ogg && _heldPacket is { } held)
            {
                await WriteOggPacketAsync(held, endOfStream: true, CancellationToken.None).ConfigureAwait(false);
            }
            else if (_kind == Kind.Ivf && _stream.CanSeek)
            {
                var count = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(count, (uint)FramesWritten);
                _stream.Seek(24, SeekOrigin.Begin);
                await _stream.WriteAsync(count).ConfigureAwait(false);
                _stream.Seek(0, SeekOrigin.End);
            }

            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task WriteHeaderAsync(CancellationToken cancellationToken)
    {
        if (_kind == Kind.Ivf)
        {
            var header = new byte[32];
            "DKIF"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 32);
            (Codec.Name.Equals("VP9", StringComparison.OrdinalIgnoreCase) ? "VP90"u8 : "VP80"u8).CopyTo(header.AsSpan(8));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 90_000); // timebase 1/90000: the RTP clock
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
            await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }
        else if (_kind == Kind.Ogg)
        {
            // OpusHead (RFC 7845 §5.1): version 1, 2 channels (RTP Opus is always signalled as stereo), no pre-skip,
            // 48 kHz, gain 0, mapping family 0; then OpusTags (§5.2) with a vendor string and no comments.
            var head = new byte[19];
            "OpusHead"u8.CopyTo(head);
            head[8] = 1;
            head[9] = 2;
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
            await WriteOggPageAsync(head, 0x02, 0, cancellationToken).ConfigureAwait(false);
            var vendor = "Kvs.WebRtc"u8;
            var tags = new byte[8 + 4 + vendor.Length + 4];
            "OpusTags"u8.CopyTo(tags);
            BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
            vendor.CopyTo(tags.AsSpan(12));
            await WriteOggPageAsync(tags, 0, 0, cancellationToken).ConfigureAwait(false);
        }
    }

    private long IvfPts(EncodedFrame frame)
    {
        if (frame.RtpTimestamp == 0 && _firstRtpTimestamp is null)
        {
            // A frame that was not received over RTP: its media time at 90 kHz.
            return frame.Timestamp.Ticks * 9 / 1000;
        }

        _firstRtpTimestamp ??= frame.RtpTimestamp;
        var pts = _lastPts + unchecked((int)(frame.RtpTimestamp - _lastRtpTimestamp));
        if (FramesWritten == 0)
        {
            pts = 0;
        }

        _lastRtpTimestamp = frame.RtpTimestamp;
        _lastPts = Math.Max(pts, FramesWritten == 0 ? 0 : _lastPts + 1); // strictly increasing for players
        return _lastPts;
    }

    private async Task WriteOggPacketAsync(byte[] packet, bool endOfStream, CancellationToken cancellationToken)
    {
        _granule += OggOpusReader.TryGetDurationSamples(packet, out var samples) ? samples : 960;
        await WriteOggPageAsync(packet, endOfStream ? (byte)0x04 : (byte)0, _granule, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One Ogg page (RFC 3533) holding one whole packet (at most 255 × 255 − 1 bytes).</summary>
    private async Task WriteOggPageAsync(byte[] packet, byte flags, long granule, CancellationToken cancellationToken)
    {
        var segments = (packet.Length / 255) + 1;
        if (segments > 255)
        {
            return; // larger than any Opus packet (at most 1275 bytes per frame × 48 frames)
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
        BinaryPrimitives.WriteUInt32LittleEndian(page[14..], 0x4B565357); // stream serial number
        BinaryPrimitives.WriteUInt32LittleEndian(page[18..], _oggSequence++);
        page[26] = (byte)segments;
        for (var i = 0; i < segments - 1; i++)
        {
            page[27 + i] = 255;
        }

        page[27 + segments - 1] = (byte)(packet.Length % 255);
        packet.CopyTo(page[(27 + segments)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggOpusReader.Crc(page));
        await _stream.WriteAsync(_scratch.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
    }

    private enum Kind
    {
        AnnexB,
        Ivf,
        Ogg,
        Raw,
    }
}
