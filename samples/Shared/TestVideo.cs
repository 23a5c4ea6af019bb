using System.Buffers.Binary;
using System.Diagnostics;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Samples;

/// <summary>The samples' camera stand-in: reads the VP8 test pattern (IVF) and writes its frames to a track in real time.</summary>
internal static class TestVideo
{
    /// <summary>The test pattern copied beside each sample (5 s, 320x240, 30 fps VP8).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "media", "pattern-320x240.ivf");

    /// <summary>Reads an IVF file (what libvpx writes): a 32-byte header, then per frame a 4-byte size and an 8-byte timestamp.</summary>
    public static List<EncodedFrame> ReadIvf(string path)
    {
        var file = File.ReadAllBytes(path);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16));
        var scale = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20));
        var frames = new List<EncodedFrame>();
        for (int offset = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)); offset + 12 <= file.Length;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            var pts = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 4));
            var data = file.AsMemory(offset + 12, Math.Min(size, file.Length - offset - 12));
            frames.Add(new EncodedFrame(data, TimeSpan.FromSeconds((double)pts * scale / rate), (data.Span[0] & 1) == 0));
            offset += 12 + size;
        }

        return frames;
    }

    /// <summary>The time from the first frame to the one after the last (the file's length at its frame rate).</summary>
    public static TimeSpan Duration(IReadOnlyList<EncodedFrame> frames) =>
        frames.Count < 2 ? TimeSpan.FromSeconds(1) : frames[^1].Timestamp + (frames[^1].Timestamp - frames[0].Timestamp) / (frames.Count - 1);

    /// <summary>Writes each frame at its time (the file's frame rate), once, its timestamp shifted by <paramref name="offset"/> (to loop a file).</summary>
    public static async Task StreamAsync(EncodedFrameTrack track, IReadOnlyList<EncodedFrame> frames, TimeSpan offset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        foreach (var frame in frames)
        {
            var wait = frame.Timestamp - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            await track.WriteFrameAsync(frame with { Timestamp = frame.Timestamp + offset }, cancellationToken);
        }
    }
}
