using System.Diagnostics;
using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing.Media;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// Media plumbing the browser media tests share: stream the committed test media into our tracks in real time, read
/// whole frames from a remote track (bounded), and wrap received VP8 frames in an IVF file for ffmpeg.
/// </summary>
public static class MediaStreaming
{
    /// <summary>The committed VP8 clip's frames (<see cref="TestMedia.Vp8IvfPath"/>) as (data, timestamp, key frame).</summary>
    public static List<(ReadOnlyMemory<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)> Vp8Frames() =>
        IvfReader.ReadFile(TestMedia.Vp8IvfPath).Frames.Select(f => (f.Data, f.Timestamp, f.IsKeyFrame)).ToList();

    /// <summary>The committed H.264 clip's access units (<see cref="TestMedia.H264Path"/>) as (data, timestamp, key frame).</summary>
    public static List<(ReadOnlyMemory<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)> H264Frames() =>
        AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).Select(f => (Data: f.AccessUnit, f.Timestamp, f.IsKeyFrame)).ToList();

    /// <summary>
    /// Writes video frames at their timestamps (wall clock from the first frame) and the Opus packets interleaved by
    /// time; returns the number of video frames written.
    /// </summary>
    public static async Task<int> StreamInRealTimeAsync(
        EncodedFrameTrack video, IReadOnlyList<(ReadOnlyMemory<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)> frames,
        EncodedFrameTrack? audio, IReadOnlyList<OpusPacket> opus, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(opus);
        var clock = Stopwatch.StartNew();
        var a = 0;
        var audioTime = TimeSpan.Zero;
        for (var v = 0; v < frames.Count; v++)
        {
            var (data, timestamp, isKey) = frames[v];
            while (audio is not null && a < opus.Count && audioTime <= timestamp)
            {
                await audio.WriteFrameAsync(new EncodedFrame(opus[a].Data, audioTime, true), ct).ConfigureAwait(false);
                audioTime += opus[a].Duration;
                a++;
            }

            var wait = timestamp - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
            }

            await video.WriteFrameAsync(new EncodedFrame(data, timestamp, isKey), ct).ConfigureAwait(false);
        }

        return frames.Count;
    }

    /// <summary>Reads <paramref name="count"/> whole frames from <paramref name="track"/>.</summary>
    /// <exception cref="TimeoutException">Fewer arrived within <paramref name="timeout"/>.</exception>
    public static async Task<List<EncodedFrame>> ReadFramesAsync(RemoteMediaTrack track, int count, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(track);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var frames = new List<EncodedFrame>();
        try
        {
            await foreach (var frame in track.ReadFramesAsync(limit.Token).ConfigureAwait(false))
            {
                frames.Add(frame);
                if (frames.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{track.Kind}: {frames.Count} of {count} frames within {timeout.TotalSeconds:0.#} s");
        }

        return frames;
    }

    /// <summary>
    /// A minimal IVF file (32-byte header, 12-byte frame headers) around VP8 frames; frame timestamps are RTP units
    /// (timebase 1/90000) counted from the first frame.
    /// </summary>
    public static byte[] ToIvf(IReadOnlyList<EncodedFrame> frames, int width = 640, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("DKIF"u8);
        writer.Write((ushort)0);
        writer.Write((ushort)32);
        writer.Write("VP80"u8);
        writer.Write((ushort)width);
        writer.Write((ushort)height);
        writer.Write(90000);
        writer.Write(1);
        writer.Write(frames.Count);
        writer.Write(0);
        var first = frames.Count > 0 ? frames[0].RtpTimestamp : 0;
        foreach (var frame in frames)
        {
            writer.Write(frame.Data.Length);
            writer.Write((long)unchecked(frame.RtpTimestamp - first)); // from zero, across a 32-bit wrap
            writer.Write(frame.Data.Span);
        }

        writer.Flush();
        return stream.ToArray();
    }
}
