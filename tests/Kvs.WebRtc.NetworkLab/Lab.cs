using System.Diagnostics;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>The lab run.</summary>
internal static class Lab
{
    public static async Task<LabResult> RunAsync(LabOptions options)
    {
        using var cts = new CancellationTokenSource(options.Timeout);
        var ct = cts.Token;
        var clock = Stopwatch.StartNew();
        var configuration = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };
        var forward = new MessageStream(options.Count, options.MaxSize, options.Seed);
        var reverse = new MessageStream(options.ReverseCount, options.MaxSize, options.Seed + 1);
        await using var offerer = new RTCPeerConnection(configuration, Options(options, "offerer "));
        await using var answerer = new RTCPeerConnection(configuration, Options(options, "answerer"));
        var phase = "connect";
        double connectMs = 0;
        MediaResult? media = null;
        try
        {
            var video = options.MediaSeconds > 0 ? new EncodedFrameTrack(RTCRtpCodec.H264) : null;
            var remoteVideo = NextTrackAsync(answerer, ct);
            if (video is not null)
            {
                offerer.AddTrack(video, "lab");
            }

            var remoteChannel = NextChannelAsync(answerer, ct);
            var local = offerer.CreateDataChannel("lab", new RTCDataChannelInit { Ordered = true });
            await Signaling.NegotiateAsync(offerer, answerer, ct);
            await WaitOpenAsync(local, ct);
            var remote = await remoteChannel;
            await WaitOpenAsync(remote, ct);
            connectMs = clock.Elapsed.TotalMilliseconds;
            if (options.ImpairAfterConnect is { } command)
            {
                phase = "impair";
                await RunShellAsync(command, ct);
            }

            phase = "transfer";
            var forwardDone = Collect(remote, forward);
            var reverseDone = Collect(local, reverse);
            await Task.WhenAll(SendAllAsync(local, forward, ct), SendAllAsync(remote, reverse, ct));
            await Task.WhenAll(forwardDone, reverseDone).WaitAsync(ct);
            if (video is not null)
            {
                phase = "media";
                media = await MediaRun.RunAsync(offerer, video, await remoteVideo, options.MediaSeconds, options.MediaBitrate, ct);
            }

            // Retransmitted chunks delivered twice would show up now.
            phase = "settle";
            await Task.Delay(500, ct);
            phase = "done";
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or InvalidOperationException or WebRtcException)
        {
            return Build(options, forward, reverse, offerer, answerer, clock, connectMs, $"{phase}: {ex.GetType().Name}: {ex.Message}") with { Media = media };
        }

        return Build(options, forward, reverse, offerer, answerer, clock, connectMs, null) with { Media = media };
    }

    private static RTCPeerConnectionOptions? Options(LabOptions options, string name) =>
        options.LogLevel is { } level ? new RTCPeerConnectionOptions { LoggerFactory = new StderrLoggerFactory(level, name) } : null;

    private static LabResult Build(
        LabOptions options, MessageStream forward, MessageStream reverse, RTCPeerConnection offerer, RTCPeerConnection answerer,
        Stopwatch clock, double connectMs, string? error)
    {
        var offererStats = offerer.GetStats();
        var answererStats = answerer.GetStats();
        var clean = forward.Duplicates + reverse.Duplicates + forward.OutOfOrder + reverse.OutOfOrder + forward.Corrupt + reverse.Corrupt == 0;
        return new LabResult
        {
            Ok = error is null && clean && forward.Delivered == forward.Count && reverse.Delivered == reverse.Count
                && forward.Received == forward.Count && reverse.Received == reverse.Count,
            Error = error,
            Count = options.Count,
            ReverseCount = options.ReverseCount,
            Delivered = forward.Delivered,
            ReverseDelivered = reverse.Delivered,
            Received = forward.Received,
            ReverseReceived = reverse.Received,
            Duplicates = forward.Duplicates + reverse.Duplicates,
            OutOfOrder = forward.OutOfOrder + reverse.OutOfOrder,
            Corrupt = forward.Corrupt + reverse.Corrupt,
            Bytes = forward.TotalBytes + reverse.TotalBytes,
            ConnectMs = Math.Round(connectMs),
            ElapsedMs = Math.Round(clock.Elapsed.TotalMilliseconds),
            Retransmissions = offererStats.Retransmissions + answererStats.Retransmissions,
            PacketsSent = offererStats.PacketsSent + answererStats.PacketsSent,
            SelectedPair = offererStats.SelectedCandidatePair,
            OffererState = Describe(offerer, offererStats),
            AnswererState = Describe(answerer, answererStats),
        };
    }

    // Where a stuck run stopped: connection/ICE state, whether DTLS finished (cipher), SCTP counters.
    private static string Describe(RTCPeerConnection pc, RTCStatsReport stats) =>
        $"{pc.ConnectionState}/{pc.IceConnectionState} dtls={stats.DtlsRole ?? "-"}:{stats.DtlsCipher ?? "not connected"} "
        + $"channels={stats.DataChannelsOpen} packets={stats.PacketsSent}/{stats.PacketsReceived} chunks={stats.DataChunksSent}/{stats.DataChunksReceived} "
        + $"srtt={stats.SctpSmoothedRoundTripTime.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}ms"
        + (pc.Failure is { } failure ? $" failure={failure.Error}: {failure.Message}" : string.Empty);

    private static async Task RunShellAsync(string command, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("sh did not start");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited {process.ExitCode}: {await stderr}");
        }
    }

    private static Task Collect(RTCDataChannel channel, MessageStream stream)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (stream.Count == 0)
        {
            done.TrySetResult();
        }

        channel.MessageReceived += (_, e) =>
        {
            if (stream.Accept(e.Data.Span))
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }

    private static async Task SendAllAsync(RTCDataChannel channel, MessageStream stream, CancellationToken ct)
    {
        for (var i = 0; i < stream.Count; i++)
        {
            await channel.SendAsync(stream.Build(i), ct);
        }
    }

    private static Task<RemoteMediaTrack> NextTrackAsync(RTCPeerConnection pc, CancellationToken ct) => PeerConnectionWaits.NextTrackAsync(pc, ct);

    private static Task<RTCDataChannel> NextChannelAsync(RTCPeerConnection pc, CancellationToken ct) => PeerConnectionWaits.NextRemoteChannelAsync(pc, ct);

    private static Task WaitOpenAsync(RTCDataChannel channel, CancellationToken ct) => PeerConnectionWaits.WaitOpenAsync(channel, ct);
}
