using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>In-process offer/answer with trickled candidates, each held until its target has a remote description.</summary>
internal static class Signaling
{
    public static async Task NegotiateAsync(RTCPeerConnection offerer, RTCPeerConnection answerer, CancellationToken ct)
    {
        var toAnswerer = Forward(offerer, answerer, ct);
        var toOfferer = Forward(answerer, offerer, ct);
        var offer = await offerer.CreateOfferAsync(ct);
        await offerer.SetLocalDescriptionAsync(offer, ct);
        await answerer.SetRemoteDescriptionAsync(offer, ct);
        toAnswerer.TrySetResult();
        var answer = await answerer.CreateAnswerAsync(ct);
        await answerer.SetLocalDescriptionAsync(answer, ct);
        await offerer.SetRemoteDescriptionAsync(answer, ct);
        toOfferer.TrySetResult();
    }

    private static TaskCompletionSource Forward(RTCPeerConnection from, RTCPeerConnection to, CancellationToken ct)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Channel.CreateUnbounded<RTCIceCandidateInit>();
        from.IceCandidate += (_, e) => queue.Writer.TryWrite(e.Candidate ?? new RTCIceCandidateInit(string.Empty));
        _ = Task.Run(async () =>
        {
            try
            {
                await ready.Task.WaitAsync(ct);
                await foreach (var candidate in queue.Reader.ReadAllAsync(ct))
                {
                    try
                    {
                        await to.AddIceCandidateAsync(candidate, ct);
                    }
                    catch (WebRtcException)
                    {
                        // Closed, or a candidate this run does not need.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }, ct);
        return ready;
    }
}
