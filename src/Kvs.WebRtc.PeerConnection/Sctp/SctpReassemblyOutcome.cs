namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>What <see cref="SctpReassemblyQueue"/> made of a DATA chunk or a FORWARD-TSN.</summary>
internal enum SctpReassemblyOutcome
{
    /// <summary>Held or delivered.</summary>
    Accepted,

    /// <summary>An ordered chunk whose SSN was delivered or skipped already: dropped.</summary>
    StaleSsn,

    /// <summary>A message larger than the configured maximum completed: a protocol violation, nothing delivered.</summary>
    MessageTooLarge,
}
