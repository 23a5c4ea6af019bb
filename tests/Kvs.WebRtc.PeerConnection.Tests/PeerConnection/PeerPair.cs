using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>Two of our peer connections on 127.0.0.1 with in-process signaling (trickle candidates forwarded).</summary>
internal sealed class PeerPair : IAsyncDisposable
{
    private static readonly Lazy<DtlsCertificate> s_certificateA = new(() => DtlsCertificate.Generate());
    private static readonly Lazy<DtlsCertificate> s_certificateB = new(() => DtlsCertificate.Generate());

    public static readonly RTCConfiguration LoopbackConfiguration = new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

    private readonly CandidateForwarder _toB;
    private readonly CandidateForwarder _toA;

    public PeerPair(RTCPeerConnectionOptions? optionsA = null, RTCPeerConnectionOptions? optionsB = null)
    {
        A = new RTCPeerConnection(LoopbackConfiguration, optionsA ?? new RTCPeerConnectionOptions { Certificate = s_certificateA.Value });
        B = new RTCPeerConnection(LoopbackConfiguration, optionsB ?? new RTCPeerConnectionOptions { Certificate = s_certificateB.Value });
        _toB = new CandidateForwarder(A, B);
        _toA = new CandidateForwarder(B, A);
    }

    public RTCPeerConnection A { get; }

    public RTCPeerConnection B { get; }

    public static CancellationToken Timeout(int seconds = 15) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>Offer from <paramref name="offerer"/>, answer from the other; candidates trickle both ways.</summary>
    public async Task NegotiateAsync(RTCPeerConnection offerer, Func<string, string>? mungeAnswer = null, CancellationToken ct = default)
    {
        var answerer = offerer == A ? B : A;
        var offer = await offerer.CreateOfferAsync(ct);
        await offerer.SetLocalDescriptionAsync(offer, ct);
        await answerer.SetRemoteDescriptionAsync(offer, ct);
        (answerer == A ? _toA : _toB).RemoteDescriptionSet();
        var answer = await answerer.CreateAnswerAsync(ct);
        await answerer.SetLocalDescriptionAsync(answer, ct);
        var sent = mungeAnswer is null ? answer : new RTCSessionDescription(RTCSdpType.Answer, mungeAnswer(answer.Sdp));
        await offerer.SetRemoteDescriptionAsync(sent, ct);
        (offerer == A ? _toA : _toB).RemoteDescriptionSet();
    }

    public static Task WaitForStateAsync(RTCPeerConnection pc, RTCPeerConnectionState state, CancellationToken ct) =>
        PeerConnectionWaits.WaitForStateAsync(pc, state, ct);

    public static Task WaitOpenAsync(RTCDataChannel channel, CancellationToken ct) => PeerConnectionWaits.WaitOpenAsync(channel, ct);

    public static Task<RTCDataChannel> NextRemoteChannelAsync(RTCPeerConnection pc, CancellationToken ct) => PeerConnectionWaits.NextRemoteChannelAsync(pc, ct);

    /// <summary>Creates a channel on A, negotiates (A offers) and waits until both ends are open.</summary>
    public async Task<(RTCDataChannel Local, RTCDataChannel Remote)> OpenChannelAsync(string label, RTCDataChannelInit? init, CancellationToken ct)
    {
        var remoteTask = NextRemoteChannelAsync(B, ct);
        var local = A.CreateDataChannel(label, init);
        await NegotiateAsync(A, ct: ct);
        await WaitOpenAsync(local, ct);
        var remote = await remoteTask;
        await WaitOpenAsync(remote, ct);
        return (local, remote);
    }

    public static Task<RTCDataChannelMessageEventArgs> NextMessageAsync(RTCDataChannel channel, CancellationToken ct) =>
        PeerConnectionWaits.NextMessageAsync(channel, ct);

    public static Task WaitClosedAsync(RTCDataChannel channel, CancellationToken ct) => PeerConnectionWaits.WaitClosedAsync(channel, ct);

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }

    /// <summary>Forwards trickled candidates, holding them until the target has a remote description.</summary>
    private sealed class CandidateForwarder
    {
        private readonly Channel<RTCIceCandidateInit?> _queue = Channel.CreateUnbounded<RTCIceCandidateInit?>();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CandidateForwarder(RTCPeerConnection from, RTCPeerConnection to)
        {
            from.IceCandidate += (_, e) => _queue.Writer.TryWrite(e.Candidate);
            _ = Task.Run(async () =>
            {
                await _ready.Task;
                await foreach (var candidate in _queue.Reader.ReadAllAsync())
                {
                    try
                    {
                        await to.AddIceCandidateAsync(candidate ?? new RTCIceCandidateInit(string.Empty));
                    }
                    catch (WebRtcException)
                    {
                        // Closed or a candidate the test does not care about.
                    }
                }
            });
        }

        public void RemoteDescriptionSet() => _ready.TrySetResult();
    }
}
