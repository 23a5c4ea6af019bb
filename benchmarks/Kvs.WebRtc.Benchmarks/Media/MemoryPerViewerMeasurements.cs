using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// Managed memory per viewer at 4 Mbit/s: one <see cref="EncodedFrameTrack"/> (1080p-sized H.264, history on, its
/// default 1 s) fanned out to N = 1 and N = 10 connections on 127.0.0.1 (<see cref="MediaFanOut"/>: each master-side
/// connection has its own receiving connection in this process, which drains whole frames), streamed in real time until
/// steady (after a discarded warm-up pair); then <c>GC.GetTotalMemory(true)</c> against the same figure before connecting. The per-viewer cost is the
/// growth from 1 to 10 viewers divided by 9 (the track, its history and the process's fixed costs cancel out); it
/// counts both ends of each pair, so it bounds the sender's own cost from above. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- memory-per-viewer [seconds]</c>.
/// </summary>
public static class MemoryPerViewerMeasurements
{
    /// <summary>Measures N = 1 then N = 10, streaming <paramref name="seconds"/> each, and prints one line per N plus the per-viewer figure.</summary>
    public static async Task RunAsync(TextWriter output, double seconds = 6)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var masterCertificate = DtlsCertificate.Generate();
        using var viewerCertificate = DtlsCertificate.Generate();
        var gop = SyntheticH264Stream.Gop();
        // A warm-up pair first: one-time costs (JIT, statics, pooled buffers) must not land on the N = 1 reference.
        await MeasureAsync(TextWriter.Null, 1, 2, gop, masterCertificate, viewerCertificate).ConfigureAwait(false);
        var results = new List<(int Viewers, long Retained, double AllocatedPerSecond)>();
        foreach (var viewers in new[] { 1, 10 })
        {
            results.Add(await MeasureAsync(output, viewers, seconds, gop, masterCertificate, viewerCertificate).ConfigureAwait(false));
        }

        var one = results[0];
        var ten = results[1];
        var perViewer = (ten.Retained - one.Retained) / 9.0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per additional viewer (N=10 minus N=1, / 9): {perViewer / 1e6:F2} MB retained (goal < 2 MB; both ends of each pair counted); " +
            $"N=1 reference {one.Retained / 1e6:F2} MB (track, history, one pair)"));
    }

    private static async Task<(int, long, double)> MeasureAsync(TextWriter output, int viewers, double seconds, byte[][] gop,
        DtlsCertificate masterCertificate, DtlsCertificate viewerCertificate)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60 + (2 * seconds)));
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var track = new EncodedFrameTrack(RTCRtpCodec.H264);
        var fanOut = await MediaFanOut.ConnectAsync(track, viewers, masterCertificate, viewerCertificate, cts.Token).ConfigureAwait(false);
        try
        {
            await fanOut.PrimeAsync(gop[0], cts.Token).ConfigureAwait(false);

            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var frames = (int)(seconds * SyntheticH264Stream.FramesPerSecond);
            for (var i = 0; i < frames; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / SyntheticH264Stream.FramesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cts.Token).ConfigureAwait(false);
                }

                var index = i % SyntheticH264Stream.GopLength;
                await track.WriteFrameAsync(new EncodedFrame(gop[index], TimeSpan.FromSeconds(1 + ((double)i / SyntheticH264Stream.FramesPerSecond)), index == 0),
                    cts.Token).ConfigureAwait(false);
            }

            var allocatedPerSecond = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / clock.Elapsed.TotalSeconds;
            await Task.Delay(200, cts.Token).ConfigureAwait(false); // the pacers drain
            var retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            var read = Enumerable.Range(0, viewers).Sum(i => fanOut.FramesRead(i));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"N={viewers,2}: retained {retained / 1e6:F2} MB after {seconds:F0} s at {SyntheticH264Stream.Bitrate / 1e6:F0} Mbit/s = {retained / 1e6 / viewers:F2} MB per viewer; " +
                $"allocated {allocatedPerSecond / 1e6:F2} MB/s while streaming; history {(track.History?.StoredBytes ?? 0) / 1e6:F2} MB; frames read {read} of {(long)frames * viewers}"));
            GC.KeepAlive(track);
            return (viewers, retained, allocatedPerSecond);
        }
        finally
        {
            await fanOut.DisposeAsync().ConfigureAwait(false);
        }
    }
}
