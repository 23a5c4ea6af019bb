namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// What a flight handler (<see cref="DtlsClientFlights"/>, <see cref="DtlsServerFlights"/>) asks of the record layer
/// that owns it (<see cref="DtlsConnection"/>): send the current flight, install keys, fail, complete.
/// </summary>
internal interface IDtlsHandshakeHost
{
    /// <summary>Fails the connection with a fatal alert.</summary>
    void Fail(DtlsError error, DtlsAlertDescription alert, string message);

    /// <summary>Sends an alert record under the current write epoch.</summary>
    void SendAlert(byte level, DtlsAlertDescription description);

    /// <summary>Counts a dropped record or message.</summary>
    void CountDropped();

    /// <summary>Sends <see cref="DtlsHandshakeContext.Flight"/>, with a retransmission timer when a response is expected.</summary>
    void SendFlight(TimeSpan now, bool expectResponse);

    /// <summary>Installs the epoch-1 protection of both directions.</summary>
    void InstallRecordProtection(DtlsRecordProtection write, DtlsRecordProtection read);

    /// <summary>Records after this point (the ChangeCipherSpec of the flight being built) use epoch 1.</summary>
    void ActivateWriteEpoch1();

    /// <summary>Stops the retransmission timer (the last flight was answered).</summary>
    void StopRetransmitting();

    /// <summary>Enters the connected state.</summary>
    void CompleteHandshake();

    /// <summary>A server accepted a ClientHello: the handshake (and its deadline) starts, numbering follows the hello's.</summary>
    void BeginServerHandshake(TimeSpan now, ushort clientHelloMessageSequence, ulong clientHelloRecordSequence);

    /// <summary>Queues one epoch-0 handshake record outside any flight (a stateless HelloVerifyRequest).</summary>
    void SendStateless(ReadOnlySpan<byte> handshakeMessage, ulong recordSequence);
}
