using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>Two of our peer connections on 127.0.0.1 with in-process signaling, connected by one data channel.</summary>
public sealed class LoopbackPeers : IAsyncDisposable
{
    private static readonly RTCConfiguration s_configuration = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

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
        var offerer = new RTCPeerConnection(s_configuration, new RTCPeerConnectionOptions { Certificate = offererCertificate });
        var answerer = new RTCPeerConnection(s_configuration, new RTCPeerConnectionOptions { Certificate = answererCertificate });
        var peers = new LoopbackPeers(offerer, answerer);
        var toAnswerer = Forward(offerer, answerer);
        var toOfferer = Forward(answerer, offerer);
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
        var offer = await offerer.CreateOfferAsync(cancellationToken).ConfigureAwait(false);
        await offerer.SetLocalDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        await answerer.SetRemoteDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        toAnswerer.TrySetResult();
        var answer = await answerer.CreateAnswerAsync(cancellationToken).ConfigureAwait(false);
        await answerer.SetLocalDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        await offerer.SetRemoteDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        toOfferer.TrySetResult();
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

    private static TaskCompletionSource Forward(RTCPeerConnection from, RTCPeerConnection to)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Channel.CreateUnbounded<RTCIceCandidateInit?>();
        from.IceCandidate += (_, e) => queue.Writer.TryWrite(e.Candidate);
        _ = Task.Run(async () =>
        {
            await ready.Task.ConfigureAwait(false);
            await foreach (var candidate in queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await to.AddIceCandidateAsync(candidate ?? new RTCIceCandidateInit(string.Empty)).ConfigureAwait(false);
                }
                catch (WebRtcException)
                {
                    return;
                }
            }
        });
        return ready;
    }
}
