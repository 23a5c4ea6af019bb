using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>Two of our peer connections on 127.0.0.1 with in-process signaling, connected by one data channel.</summary>
public sealed class LoopbackPeers : IAsyncDisposable
{
    private LoopbackPeers(RTCPeerConnection offerer, RTCPeerConnection answerer)
    {
        Offerer = offerer;
        Answerer = answerer;
    }

    /// <summary>The offering side; <see cref="Sender"/> belongs to it.</summary>
    public RTCPeerConnection Offerer { get; }

    /// <summary>The answering side; <see cref="Receiver"/> belongs to it.</summary>
    public RTCPeerConnection Answerer { get; }

    /// <summary>The offerer's channel.</summary>
    public RTCDataChannel Sender { get; private set; } = null!;

    /// <summary>The answerer's end of the channel.</summary>
    public RTCDataChannel Receiver { get; private set; } = null!;

    /// <summary>Creates both peers, negotiates and waits until the channel is open on both sides.</summary>
    public static async Task<LoopbackPeers> ConnectAsync(DtlsCertificate offererCertificate, DtlsCertificate answererCertificate,
        RTCDataChannelInit? init, CancellationToken cancellationToken)
    {
        var offerer = new RTCPeerConnection(LoopbackSignaling.Configuration, new RTCPeerConnectionOptions { Certificate = offererCertificate });
        var answerer = new RTCPeerConnection(LoopbackSignaling.Configuration, new RTCPeerConnectionOptions { Certificate = answererCertificate });
        var peers = new LoopbackPeers(offerer, answerer);
        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        answerer.DataChannel += (_, e) =>
        {
            if (e.Channel.ReadyState == RTCDataChannelState.Open)
            {
                remote.TrySetResult(e.Channel);
            }
            else
            {
                e.Channel.Opened += (_, _) => remote.TrySetResult(e.Channel);
            }
        };
        var sender = offerer.CreateDataChannel("bench", init);
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.Opened += (_, _) => opened.TrySetResult();
        await LoopbackSignaling.NegotiateAsync(offerer, answerer, cancellationToken).ConfigureAwait(false);
        await opened.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        peers.Sender = sender;
        peers.Receiver = await remote.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return peers;
    }

    /// <summary>Sends <paramref name="count"/> messages of <paramref name="size"/> bytes one way and waits until all arrived.</summary>
    /// <returns>The elapsed time.</returns>
    public async Task<TimeSpan> TransferAsync(int size, int count, CancellationToken cancellationToken)
    {
        var payload = new byte[size];
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnMessage(object? sender, RTCDataChannelMessageEventArgs e)
        {
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }
        }

        Receiver.MessageReceived += OnMessage;
        try
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                await Sender.SendAsync(payload, cancellationToken).ConfigureAwait(false);
            }

            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return System.Diagnostics.Stopwatch.GetElapsedTime(start);
        }
        finally
        {
            Receiver.MessageReceived -= OnMessage;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Offerer.DisposeAsync().ConfigureAwait(false);
        await Answerer.DisposeAsync().ConfigureAwait(false);
    }
}
