using System.Buffers.Binary;
using System.Text;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Reads IVF files (the libvpx container): a 32-byte header (<c>DKIF</c>, version, header size, fourcc, width, height,
/// timebase denominator and numerator, frame count) then frames of a 12-byte header (size, 64-bit pts) and data.
/// All integers little-endian. A broken file gives a <see cref="MediaFormatException"/>; nothing reads past the input.
/// </summary>
public static class IvfReader
{
    /// <summary>Largest file <see cref="ReadFile"/> accepts.</summary>
    public const int MaxFileBytes = 64 << 20;

    private const int FileHeaderSize = 32;
    private const int FrameHeaderSize = 12;

    /// <summary>Reads an IVF file.</summary>
    public static IvfFile ReadFile(string path)
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

    /// <summary>Parses IVF bytes.</summary>
    /// <exception cref="MediaFormatException">Bad signature, header or timebase, or a truncated frame.</exception>
    public static IvfFile Read(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        if (span.Length < FileHeaderSize || !span[..4].SequenceEqual("DKIF"u8))
        {
            throw new MediaFormatException("Not an IVF file: it does not begin with a 32-byte 'DKIF' header.", 0);
        }

        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        if (headerSize < FileHeaderSize || headerSize > span.Length)
        {
            throw new MediaFormatException($"IVF header size {headerSize} is outside 32..{span.Length}.", 6);
        }

        var fourCc = Encoding.ASCII.GetString(span.Slice(8, 4));
        int width = BinaryPrimitives.ReadUInt16LittleEndian(span[12..]);
        int height = BinaryPrimitives.ReadUInt16LittleEndian(span[14..]);
        var denominator = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        var numerator = BinaryPrimitives.ReadUInt32LittleEndian(span[20..]);
        var headerFrameCount = BinaryPrimitives.ReadUInt32LittleEndian(span[24..]);
        if (denominator == 0 || numerator == 0)
        {
            throw new MediaFormatException($"IVF timebase {numerator}/{denominator} is invalid.", 16);
        }

        var frames = new List<IvfFrame>();
        var offset = (int)headerSize;
        while (offset < span.Length)
        {
            if (span.Length - offset < FrameHeaderSize)
            {
                throw new MediaFormatException($"IVF frame {frames.Count}: truncated frame header.", offset);
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            var pts = BinaryPrimitives.ReadInt64LittleEndian(span[(offset + 4)..]);
            offset += FrameHeaderSize;
            if (size > (uint)(span.Length - offset))
            {
                throw new MediaFormatException($"IVF frame {frames.Count}: size {size} runs past the end ({span.Length - offset} bytes left).", offset - FrameHeaderSize);
            }

            var frame = data.Slice(offset, (int)size);
            var seconds = (double)pts * numerator / denominator;
            if (!(Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw new MediaFormatException($"IVF frame {frames.Count}: pts {pts} is out of range.");
            }

            frames.Add(new IvfFrame(frame, pts, IsKeyFrame(fourCc, frame.Span), TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))));
            offset += (int)size;
        }

        return new IvfFile(fourCc, width, height, numerator, denominator, headerFrameCount, frames);
    }

    /// <summary>
    /// Whether a VP8 or VP9 frame is a key frame. VP8 (RFC 6386 §9.1): bit 0 of the frame tag is 0 for a key frame.
    /// VP9 (uncompressed header): frame_marker 2, profile, show_existing_frame 0, then frame_type 0 for a key frame.
    /// </summary>
    public static bool IsKeyFrame(string fourCc, ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            return false;
        }

        switch (fourCc)
        {
            case "VP80":
                return (frame[0] & 0x01) == 0;
            case "VP90":
                {
                    var b = frame[0];
                    if ((b >> 6) != 2)
                    {
                        return false;
                    }

                    var profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
                    var bit = profile == 3 ? 2 : 3; // profile 3 has one reserved zero bit more
                    var showExisting = (b >> bit) & 1;
                    return showExisting == 0 && ((b >> (bit - 1)) & 1) == 0;
                }

            default:
                return false;
        }
    }
}
