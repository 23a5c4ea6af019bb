using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>
/// In-process signaling between two of our peer connections on 127.0.0.1: one offer/answer exchange with trickled
/// candidates, each side's candidates handed to the other once its remote description is set.
/// </summary>
internal static class LoopbackSignaling
{
    /// <summary>Host candidates on 127.0.0.1 only.</summary>
    public static RTCConfiguration Configuration { get; } = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

    /// <summary>Runs the offer/answer exchange and starts forwarding candidates both ways.</summary>
    public static async Task NegotiateAsync(RTCPeerConnection offerer, RTCPeerConnection answerer, CancellationToken cancellationToken)
    {
        var toAnswerer = Forward(offerer, answerer);
        var toOfferer = Forward(answerer, offerer);
        var offer = await offerer.CreateOfferAsync(cancellationToken).ConfigureAwait(false);
        await offerer.SetLocalDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        await answerer.SetRemoteDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        toAnswerer.TrySetResult();
        var answer = await answerer.CreateAnswerAsync(cancellationToken).ConfigureAwait(false);
        await answerer.SetLocalDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        await offerer.SetRemoteDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        toOfferer.TrySetResult();
    }

    /// <summary>Queues <paramref name="from"/>'s candidates and adds them to <paramref name="to"/> once the result is set.</summary>
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
