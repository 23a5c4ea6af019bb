namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>Packet status symbols of transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1); 3 is reserved.</summary>
internal enum RtcpTransportFeedbackSymbol : byte
{
    /// <summary>Not received (no delta).</summary>
    NotReceived = 0,

    /// <summary>Received, one-byte unsigned delta (0–63.75 ms in 250 µs steps).</summary>
    ReceivedSmallDelta = 1,

    /// <summary>Received, two-byte signed delta (−8192 to 8191.75 ms in 250 µs steps).</summary>
    ReceivedLargeDelta = 2,
}
