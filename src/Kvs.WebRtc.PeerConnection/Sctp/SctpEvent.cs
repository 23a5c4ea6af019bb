namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>An output of <see cref="SctpAssociation"/>, drained with <see cref="SctpAssociation.TryPollEvent"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="StreamId">The stream concerned (message, reset, buffered-amount events).</param>
/// <param name="Ppid">Payload protocol identifier of a received message (RFC 9260 §3.3.1).</param>
/// <param name="Data">The received message; the receiver owns the array.</param>
/// <param name="Reason">For <see cref="SctpEventKind.Closed"/>: why.</param>
/// <param name="Aborted">For <see cref="SctpEventKind.Closed"/>: true when ended by ABORT or failure rather than SHUTDOWN.</param>
internal readonly record struct SctpEvent(SctpEventKind Kind, ushort StreamId = 0, uint Ppid = 0, byte[]? Data = null, string? Reason = null, bool Aborted = false);
