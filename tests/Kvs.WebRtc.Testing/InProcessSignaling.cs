using System.Diagnostics;
using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Testing;

/// <summary>
/// Offer/answer and trickled candidates between two connections of one process, as a signaling channel would carry
/// them: each candidate once, after its target has a remote description (a bounded wait).
/// </summary>
public static class InProcessSignaling
{
    private static readonly TimeSpan s_remoteDescriptionWait = TimeSpan.FromSeconds(5);

    /// <summary>One offer/answer round from <paramref name="offerer"/> to <paramref name="answerer"/> (also a re-offer or an ICE restart).</summary>
    public static async Task NegotiateAsync(RTCPeerConnection offerer, RTCPeerConnection answerer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offerer);
        ArgumentNullException.ThrowIfNull(answerer);
        var offer = await offerer.CreateOfferAsync(cancellationToken).ConfigureAwait(false);
        await offerer.SetLocalDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        await answerer.SetRemoteDescriptionAsync(offer, cancellationToken).ConfigureAwait(false);
        var answer = await answerer.CreateAnswerAsync(cancellationToken).ConfigureAwait(false);
        await answerer.SetLocalDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
        await offerer.SetRemoteDescriptionAsync(answer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Forwards every local candidate of <paramref name="from"/> to <paramref name="to"/> for the connections' lifetime;
    /// a candidate <paramref name="to"/> refuses (one of an earlier ICE generation) is skipped.
    /// </summary>
    public static void Trickle(RTCPeerConnection from, RTCPeerConnection to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        from.IceCandidate += (_, e) =>
        {
            if (e.Candidate is not { } candidate)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                var started = Stopwatch.StartNew();
                while (to.RemoteDescription is null && started.Elapsed < s_remoteDescriptionWait)
                {
                    await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await to.AddIceCandidateAsync(candidate, cancellationToken).ConfigureAwait(false);
                }
                catch (WebRtcException)
                {
                    // A candidate of an earlier ICE generation.
                }
            }, cancellationToken);
        };
    }
}
