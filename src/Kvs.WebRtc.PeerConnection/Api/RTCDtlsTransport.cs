namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The DTLS transport of the connection (W3C <see href="https://www.w3.org/TR/webrtc/#rtcdtlstransport-interface">RTCDtlsTransport</see>):
/// with BUNDLE one carries SRTP for every media section and SCTP for the data channels
/// (<see cref="Media.RTCRtpSender.Transport"/>, <see cref="Media.RTCRtpReceiver.Transport"/>, <see cref="RTCSctpTransport.Transport"/>).
/// </summary>
/// <remarks>
/// Thread-safety: members may be read from any thread. Events are raised on the connection's event task: on failure
/// <see cref="Error"/> first, then <see cref="StateChanged"/> (W3C order), both before
/// <see cref="RTCPeerConnection.ConnectionStateChanged"/>. Keys and secrets are never exposed.
/// </remarks>
public sealed class RTCDtlsTransport
{
    private readonly Func<ReadOnlyMemory<byte>> _remoteCertificate;
    private readonly Action<Exception> _reportHandlerFailure;
    private volatile RTCDtlsTransportState _state = RTCDtlsTransportState.New;

    internal RTCDtlsTransport(RTCIceTransport iceTransport, Func<ReadOnlyMemory<byte>> remoteCertificate, Action<Exception> reportHandlerFailure)
    {
        IceTransport = iceTransport;
        _remoteCertificate = remoteCertificate;
        _reportHandlerFailure = reportHandlerFailure;
    }

    /// <summary><see cref="State"/> changed (W3C <c>onstatechange</c>).</summary>
    public event EventHandler? StateChanged;

    /// <summary>The handshake failed (W3C <c>onerror</c>); <see cref="RTCDtlsTransportErrorEventArgs.Error"/> tells why.</summary>
    public event EventHandler<RTCDtlsTransportErrorEventArgs>? Error;

    /// <summary>The ICE transport it runs over (W3C <c>iceTransport</c>).</summary>
    public RTCIceTransport IceTransport { get; }

    /// <summary>The state (W3C <c>state</c>).</summary>
    public RTCDtlsTransportState State => _state;

    /// <summary>
    /// The peer's certificate chain as DER (W3C <c>getRemoteCertificates()</c>): one certificate once the handshake has
    /// received it (WebRTC peers send a single self-signed certificate), empty before. Each call returns fresh copies.
    /// </summary>
    public IReadOnlyList<byte[]> GetRemoteCertificates()
    {
        var certificate = _remoteCertificate();
        return certificate.IsEmpty ? [] : [certificate.ToArray()];
    }

    /// <inheritdoc />
    public override string ToString() => $"RTCDtlsTransport({State})";

    /// <summary>On the event task: applies the DTLS state (and the failure) and raises the events.</summary>
    internal void UpdateState(RTCDtlsTransportState state, WebRtcException? failure)
    {
        if (_state == state)
        {
            return;
        }

        _state = state;
        if (state == RTCDtlsTransportState.Failed && failure is not null)
        {
            EventRaising.Raise(Error, this, new RTCDtlsTransportErrorEventArgs(failure), _reportHandlerFailure);
        }

        EventRaising.Raise(StateChanged, this, _reportHandlerFailure);
    }

    /// <summary><see cref="RTCPeerConnection.Close"/>: closed without an event (W3C).</summary>
    internal void Close() => _state = RTCDtlsTransportState.Closed;
}
