namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// The fate of one transport-wide sequence number in a transport-wide feedback message.
/// </summary>
/// <param name="SequenceNumber">Transport-wide sequence number.</param>
/// <param name="Symbol">Not received, or received with a small or large delta.</param>
/// <param name="DeltaTicks">Receive delta in 250 µs units from the previous received packet (or the reference time for the first); 0 when not received.</param>
/// <param name="ArrivalTime">Reference time + the sum of deltas so far: the arrival time on the receiver's clock (mod 2^24 · 64 ms); zero when not received.</param>
internal readonly record struct RtcpTransportFeedbackStatus(ushort SequenceNumber, RtcpTransportFeedbackSymbol Symbol, int DeltaTicks, TimeSpan ArrivalTime)
{
    /// <summary>Duration of one delta tick (250 µs).</summary>
    public static readonly TimeSpan DeltaTick = TimeSpan.FromMicroseconds(250);

    /// <summary>True when the packet was received.</summary>
    public bool Received => Symbol != RtcpTransportFeedbackSymbol.NotReceived;

    /// <summary>The receive delta as a duration.</summary>
    public TimeSpan Delta => DeltaTick * DeltaTicks;
}
