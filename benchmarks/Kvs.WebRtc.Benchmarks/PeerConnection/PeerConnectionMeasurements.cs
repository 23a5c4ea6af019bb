using System.Diagnostics;
using System.Globalization;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>
/// The end-to-end figures of the peer connection (ours↔ours on loopback): createOffer→open time, one-way throughput
/// with 64 KiB messages, message rate with 1 KiB messages, peak working set. Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- peerconnection</c>.
/// </summary>
public static class PeerConnectionMeasurements
{
    /// <summary>Runs every measurement and prints one line per figure.</summary>
    public static async Task RunAsync(TextWriter output, int openRounds = 20, int bulkMessages = 2000, int smallMessages = 100_000)
    {
        using var certificateA = DtlsCertificate.Generate();
        using var certificateB = DtlsCertificate.Generate();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = cts.Token;

        var opens = new List<double>();
        for (var i = 0; i < openRounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var peers = await LoopbackPeers.ConnectAsync(certificateA, certificateB, null, ct).ConfigureAwait(false);
            opens.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await peers.DisposeAsync().ConfigureAwait(false);
        }

        opens.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours<->ours createOffer->open: median {opens[opens.Count / 2]:F2} ms (min {opens[0]:F2}, max {opens[^1]:F2}, n={opens.Count})"));

        var bulkPeers = await LoopbackPeers.ConnectAsync(certificateA, certificateB, null, ct).ConfigureAwait(false);
        await using (bulkPeers.ConfigureAwait(false))
        {
            var peers = bulkPeers;
            const int bulkSize = 64 * 1024;
            await peers.TransferAsync(bulkSize, Math.Max(1, bulkMessages / 10), ct).ConfigureAwait(false);
            var elapsed = await peers.TransferAsync(bulkSize, bulkMessages, ct).ConfigureAwait(false);
            var mbps = (double)bulkSize * bulkMessages / elapsed.TotalSeconds / 1e6;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours<->ours 64 KiB messages: {mbps:F1} MB/s ({bulkMessages} messages in {elapsed.TotalMilliseconds:F0} ms)"));
            var stats = peers.Offerer.GetStats();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sender: packets {stats.PacketsSent}, retransmissions {stats.Retransmissions}, cwnd {stats.SctpCongestionWindow}, srtt {stats.SctpSmoothedRoundTripTime.TotalMilliseconds:F2} ms; receiver packets {peers.Answerer.GetStats().PacketsReceived}"));

            const int smallSize = 1024;
            await peers.TransferAsync(smallSize, Math.Max(1, smallMessages / 10), ct).ConfigureAwait(false);
            elapsed = await peers.TransferAsync(smallSize, smallMessages, ct).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours<->ours 1 KiB messages: {smallMessages / elapsed.TotalSeconds:F0} msg/s ({smallMessages} messages in {elapsed.TotalMilliseconds:F0} ms)"));
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set: {process.PeakWorkingSet64 / (1024.0 * 1024.0):F1} MB"));
    }
}
