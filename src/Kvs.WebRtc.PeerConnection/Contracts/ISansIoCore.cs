namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The timer half of every sans-IO core (ICE agent, STUN transactions, TURN session, DTLS, SCTP, data channels, NACK,
/// jitter buffer, feedback generators): the driver asks <see cref="NextTimeout"/> after every input and calls
/// <see cref="HandleTimeout"/> when that time has come. Time is a monotonic <see cref="TimeSpan"/> from an origin the
/// driver chooses; a core never reads a clock.
/// </summary>
/// <remarks>See <c>docs/architecture.md</c>, "Sans-IO cores and their drivers".</remarks>
internal interface ISansIoCore
{
    /// <summary>The earliest time at which <see cref="HandleTimeout"/> must run; null when no timer is needed.</summary>
    TimeSpan? NextTimeout { get; }

    /// <summary>Runs whatever is due at <paramref name="now"/> (retransmissions, keep-alives, expiries).</summary>
    void HandleTimeout(TimeSpan now);
}

/// <summary>
/// A sans-IO core whose input and output are datagrams on one already-chosen path (DTLS records, SCTP packets,
/// data-channel traffic). After each input the driver drains <see cref="TryPollTransmit"/> until it returns false and
/// re-arms its timer from <see cref="ISansIoCore.NextTimeout"/>.
/// </summary>
internal interface IDatagramCore : ISansIoCore
{
    /// <summary>Processes one received datagram. Bad input is dropped and counted, never thrown.</summary>
    void HandleInput(ReadOnlySpan<byte> datagram, TimeSpan now);

    /// <summary>Copies the next datagram to send into <paramref name="destination"/>.</summary>
    /// <returns>False when nothing is waiting.</returns>
    bool TryPollTransmit(Span<byte> destination, TimeSpan now, out int length);
}

/// <summary>
/// A sans-IO core whose outgoing datagrams carry their own buffer and address (ICE checks, STUN transactions, TURN
/// requests): inputs are specific to the core (they carry addresses), the output shape is shared.
/// </summary>
/// <typeparam name="TTransmit">One datagram to send with what the driver needs to send it.</typeparam>
internal interface IAddressedCore<TTransmit> : ISansIoCore
{
    /// <summary>Takes the next datagram to send.</summary>
    /// <returns>False when nothing is waiting.</returns>
    bool TryPollTransmit(out TTransmit transmit);
}
