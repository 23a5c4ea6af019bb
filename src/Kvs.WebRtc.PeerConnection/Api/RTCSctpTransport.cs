namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The SCTP association that carries the data channels (W3C <see href="https://www.w3.org/TR/webrtc/#rtcsctptransport-interface">RTCSctpTransport</see>),
/// available as <see cref="RTCPeerConnection.Sctp"/> once a data section is negotiated.
/// </summary>
/// <remarks>Thread-safety: members may be read from any thread; <see cref="StateChanged"/> is raised on the connection's event task.</remarks>
public sealed class RTCSctpTransport
{
    private readonly Action<Exception> _reportHandlerFailure;
    private volatile RTCSctpTransportState _state = RTCSctpTransportState.Connecting;
    private long _maxMessageSize;
    private int _maxChannels;

    internal RTCSctpTransport(RTCDtlsTransport transport, long maxMessageSize, Action<Exception> reportHandlerFailure)
    {
        Transport = transport;
        _maxMessageSize = maxMessageSize;
        _reportHandlerFailure = reportHandlerFailure;
    }

    /// <summary><see cref="State"/> changed (W3C <c>onstatechange</c>).</summary>
    public event EventHandler? StateChanged;

    /// <summary>The DTLS transport the association runs over (W3C <c>transport</c>).</summary>
    public RTCDtlsTransport Transport { get; }

    /// <summary>The state (W3C <c>state</c>).</summary>
    public RTCSctpTransportState State => _state;

    /// <summary>
    /// The largest message <see cref="DataChannels.RTCDataChannel.Send(byte[])"/> accepts, in bytes (W3C <c>maxMessageSize</c>):
    /// the peer's <c>a=max-message-size</c> (65536 when absent, RFC 8841 §6; <see cref="int.MaxValue"/> for 0, "no limit").
    /// </summary>
    public long MaxMessageSize => Interlocked.Read(ref _maxMessageSize);

    /// <summary>How many channels may be open at once (W3C <c>maxChannels</c>): the negotiated stream count, null until connected.</summary>
    public int? MaxChannels => Volatile.Read(ref _maxChannels) is > 0 and var n ? n : null;

    /// <inheritdoc />
    public override string ToString() => $"RTCSctpTransport({State}, max message {MaxMessageSize})";

    internal void SetMaxMessageSize(long value) => Interlocked.Exchange(ref _maxMessageSize, value);

    /// <summary>On the event task: the association is established with <paramref name="maxChannels"/> streams.</summary>
    internal void OnConnected(int maxChannels)
    {
        Volatile.Write(ref _maxChannels, maxChannels);
        UpdateState(RTCSctpTransportState.Connected);
    }

    /// <summary>On the event task: applies a state and raises <see cref="StateChanged"/>.</summary>
    internal void UpdateState(RTCSctpTransportState state)
    {
        if (_state == state || _state == RTCSctpTransportState.Closed)
        {
            return;
        }

        _state = state;
        EventRaising.Raise(StateChanged, this, _reportHandlerFailure);
    }

    /// <summary><see cref="RTCPeerConnection.Close"/>: closed without an event (W3C).</summary>
    internal void Close() => _state = RTCSctpTransportState.Closed;
}
