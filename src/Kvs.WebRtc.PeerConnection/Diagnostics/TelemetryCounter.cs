namespace Kvs.WebRtc.PeerConnection.Diagnostics;

/// <summary>
/// The cumulative counters of one peer connection that the meter's observable counters read: an index into a
/// <see cref="PeerConnectionTelemetry.CounterSlots"/>-long array, <see cref="PeerConnectionTelemetry.Slot"/> adds the
/// media kind (audio, video). Data-channel counters use the audio slot.
/// </summary>
internal enum TelemetryCounter
{
    /// <summary>RTP packets sent (retransmissions excluded).</summary>
    RtpPacketsSent,

    /// <summary>RTP payload bytes sent.</summary>
    RtpBytesSent,

    /// <summary>RTP packets received.</summary>
    RtpPacketsReceived,

    /// <summary>RTP payload bytes received.</summary>
    RtpBytesReceived,

    /// <summary>RTP packets lost on the way to us (RFC 3550 cumulative loss, never below 0 per stream).</summary>
    RtpPacketsLost,

    /// <summary>Generic NACK feedback messages we sent.</summary>
    NacksSent,

    /// <summary>Generic NACK feedback messages we received.</summary>
    NacksReceived,

    /// <summary>Picture loss indications we sent.</summary>
    PlisSent,

    /// <summary>Picture loss indications we received.</summary>
    PlisReceived,

    /// <summary>Packets we retransmitted (RTX or resent).</summary>
    RetransmissionsSent,

    /// <summary>Retransmitted packets we received.</summary>
    RetransmissionsReceived,

    /// <summary>Data-channel messages sent.</summary>
    DataMessagesSent,

    /// <summary>Data-channel message bytes sent.</summary>
    DataBytesSent,

    /// <summary>Data-channel messages received.</summary>
    DataMessagesReceived,

    /// <summary>Data-channel message bytes received.</summary>
    DataBytesReceived,
}
