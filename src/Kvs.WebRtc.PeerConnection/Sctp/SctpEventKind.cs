namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>What an <see cref="SctpEvent"/> reports.</summary>
internal enum SctpEventKind
{
    /// <summary>The association reached ESTABLISHED.</summary>
    Connected,

    /// <summary>A complete user message arrived (<see cref="SctpEvent.Data"/>, <see cref="SctpEvent.Ppid"/>).</summary>
    MessageReceived,

    /// <summary>The peer reset its outgoing stream (our incoming stream) <see cref="SctpEvent.StreamId"/> (RFC 6525).</summary>
    IncomingStreamReset,

    /// <summary>Our request to reset outgoing stream <see cref="SctpEvent.StreamId"/> was performed by the peer.</summary>
    OutgoingStreamReset,

    /// <summary>The peer denied or failed our request to reset stream <see cref="SctpEvent.StreamId"/>.</summary>
    StreamResetFailed,

    /// <summary>The buffered amount of stream <see cref="SctpEvent.StreamId"/> fell to or below its low threshold.</summary>
    BufferedAmountLow,

    /// <summary>The association ended: graceful shutdown, ABORT (either side) or failure (<see cref="SctpEvent.Reason"/>).</summary>
    Closed,
}
