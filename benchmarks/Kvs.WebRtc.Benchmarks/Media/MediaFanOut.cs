using System.Globalization;
using Kvs.WebRtc.Benchmarks.PeerConnection;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Benchmarks.Media;

/// <summary>
/// One <see cref="EncodedFrameTrack"/> sent by N of our connections on 127.0.0.1 (the master side), each to its own
/// receiving connection (a viewer) that drains whole frames as fast as they come. In-process signaling with trickled
/// candidates.
/// </summary>
internal sealed class MediaFanOut : IAsyncDisposable
{
    private readonly List<RTCPeerConnection> _masters = [];
    private readonly List<RTCPeerConnection> _viewers = [];
    private readonly List<RemoteMediaTrack> _remoteTracks = [];
    private readonly List<Task> _drains = [];
    private readonly CancellationTokenSource _stop = new();
    private long[] _framesRead = [];

    private MediaFanOut(EncodedFrameTrack track) => Track = track;

    /// <summary>The track every master-side connection sends.</summary>
    public EncodedFrameTrack Track { get; }

    /// <summary>Frames read by each viewer so far.</summary>
    public long FramesRead(int viewer) => Interlocked.Read(ref _framesRead[viewer]);

    /// <summary>Creates <paramref name="viewers"/> connected pairs sending <paramref name="track"/> and starts draining.</summary>
    public static async Task<MediaFanOut> ConnectAsync(EncodedFrameTrack track, int viewers, DtlsCertificate masterCertificate,
        DtlsCertificate viewerCertificate, CancellationToken cancellationToken)
    {
        var fanOut = new MediaFanOut(track) { _framesRead = new long[viewers] };
        for (var i = 0; i < viewers; i++)
        {
            var master = new RTCPeerConnection(LoopbackSignaling.Configuration, new RTCPeerConnectionOptions { Certificate = masterCertificate });
            var viewer = new RTCPeerConnection(LoopbackSignaling.Configuration, new RTCPeerConnectionOptions { Certificate = viewerCertificate });
            fanOut._masters.Add(master);
            fanOut._viewers.Add(viewer);
            master.AddTrack(track, "camera");
            var remote = new TaskCompletionSource<RemoteMediaTrack>(TaskCreationOptions.RunContinuationsAsynchronously);
            viewer.Track += (_, e) => remote.TrySetResult(e.Track);
            var connected = Task.WhenAll(WaitConnectedAsync(master, cancellationToken), WaitConnectedAsync(viewer, cancellationToken));
            await LoopbackSignaling.NegotiateAsync(master, viewer, cancellationToken).ConfigureAwait(false);
            var remoteTrack = await remote.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await connected.ConfigureAwait(false);
            fanOut._remoteTracks.Add(remoteTrack);
            fanOut._drains.Add(fanOut.DrainAsync(remoteTrack, i));
        }

        return fanOut;
    }

    /// <summary>Writes key frames until every viewer has read one (every sender's SRTP is ready and it started).</summary>
    public async Task PrimeAsync(byte[] keyFrame, CancellationToken cancellationToken)
    {
        var time = TimeSpan.Zero;
        while (Enumerable.Range(0, _framesRead.Length).Any(i => FramesRead(i) == 0))
        {
            await Track.WriteFrameAsync(new EncodedFrame(keyFrame, time, true), cancellationToken).ConfigureAwait(false);
            time += TimeSpan.FromMilliseconds(100);
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One line per viewer: frames read, dropped incomplete, overflowed; and what each sender sent.</summary>
    public string Describe()
    {
        var lines = new List<string>();
        for (var i = 0; i < _remoteTracks.Count; i++)
        {
            var t = _remoteTracks[i];
            var sender = _masters[i].GetSenders()[0];
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"viewer {i}: sent frames {sender.FramesSent} packets {sender.PacketsSent}; received packets {t.PacketsReceived} frames read {FramesRead(i)} dropped {t.FramesDropped} overflowed {t.FramesOverflowed}"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var pc in _masters.Concat(_viewers))
        {
            await pc.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_drains).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The drains end by cancellation.
        }

        _stop.Dispose();
    }

    private async Task DrainAsync(RemoteMediaTrack track, int index)
    {
        await Task.Yield();
        try
        {
            await foreach (var frame in track.ReadFramesAsync(_stop.Token).ConfigureAwait(false))
            {
                _ = frame;
                Interlocked.Increment(ref _framesRead[index]);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static Task WaitConnectedAsync(RTCPeerConnection pc, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.ConnectionStateChanged += (_, _) =>
        {
            if (pc.ConnectionState == RTCPeerConnectionState.Connected)
            {
                tcs.TrySetResult();
            }
        };
        if (pc.ConnectionState == RTCPeerConnectionState.Connected)
        {
            tcs.TrySetResult();
        }

        return tcs.Task.WaitAsync(cancellationToken);
    }
}
