using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

/// <summary>Builds transport-wide feedback bytes for tests with <see cref="RtcpTransportFeedbackBuilder"/>.</summary>
internal static class FeedbackFactory
{
    /// <summary>One feedback from <paramref name="baseSeq"/>; packets in increasing sequence order, arrival in µs (receiver clock).</summary>
    public static byte[] Build(ushort baseSeq, IEnumerable<(ushort Seq, long ArrivalUs)> received, byte feedbackCount = 0)
    {
        var builder = new RtcpTransportFeedbackBuilder(16_000);
        builder.Reset(1, 2, feedbackCount, baseSeq);
        foreach (var (seq, arrivalUs) in received)
        {
            if (!builder.TryAddReceivedPacket(seq, TimeSpan.FromMicroseconds(arrivalUs)))
            {
                throw new InvalidOperationException($"packet {seq} does not fit one feedback");
            }
        }

        var buffer = new byte[builder.Size];
        builder.Write(buffer);
        return buffer;
    }
}
