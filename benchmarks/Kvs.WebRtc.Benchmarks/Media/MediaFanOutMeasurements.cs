using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// The fan-out of <see cref="H264FanOutBenchmarks"/> as one plain pass (for profiling with <c>perf</c>, and for the
/// allocations of the writing thread alone, which BenchmarkDotNet's process-wide figure mixes with the viewers'):
/// 10 viewers, GOPs written back to back, µs per frame and bytes allocated per frame by the writer. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- media-fanout [seconds]</c>.
/// </summary>
public static class MediaFanOutMeasurements
{
    /// <summary>Connects, writes for <paramref name="seconds"/>, prints the figures and each viewer's counters.</summary>
    public static async Task RunAsync(TextWriter output, int viewers = 10, double seconds = 10)
    {
        using var masterCertificate = DtlsCertificate.Generate();
        using var viewerCertificate = DtlsCertificate.Generate();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var gop = PacketizedGop.Create();
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        var fanOut = await MediaFanOut.ConnectAsync(track, viewers, masterCertificate, viewerCertificate, cts.Token).ConfigureAwait(false);
        await using (fanOut.ConfigureAwait(false))
        {
            await fanOut.PrimeAsync(gop.Frames[0], cts.Token).ConfigureAwait(false);
            var frameDuration = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / SyntheticH264Stream.FramesPerSecond);
            var time = TimeSpan.FromSeconds(60);
            var frames = 0L;
            var writeTicks = 0L;
            var allocated = 0L;
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                for (var f = 0; f < gop.Frames.Length; f++)
                {
                    var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
                    var start = Stopwatch.GetTimestamp();
                    await track.WriteFrameAsync(new EncodedFrame(gop.Frames[f], time, f == 0), cts.Token).ConfigureAwait(false);
                    writeTicks += Stopwatch.GetTimestamp() - start;
                    allocated += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
                    time += frameDuration;
                    frames++;
                }
            }

            var microseconds = writeTicks * 1e6 / Stopwatch.Frequency / frames;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fan-out to {viewers} viewers: {microseconds:F1} µs per frame ({frames} frames, {gop.Count} packets per GOP of {SyntheticH264Stream.GopLength}); " +
                $"{microseconds * SyntheticH264Stream.FramesPerSecond / 1e4:F2} % of one core at {SyntheticH264Stream.FramesPerSecond} fps; " +
                $"writer allocated {allocated / (double)frames:F1} B per frame"));
            output.WriteLine(fanOut.Describe());
        }
    }
}
