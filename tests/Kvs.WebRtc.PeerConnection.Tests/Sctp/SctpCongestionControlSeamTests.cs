using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

/// <summary>The association takes its congestion control through <see cref="ISctpCongestionControl"/>: another algorithm plugs in.</summary>
public sealed class SctpCongestionControlSeamTests
{
    /// <summary>A fixed window of two MTUs that records what the association reports.</summary>
    private sealed class FixedWindow : ISctpCongestionControl
    {
        public long CongestionWindow => 2400;

        public long SlowStartThreshold => 2400;

        public bool InFastRecovery => false;

        public int Sacks { get; private set; }

        public long BytesAcknowledged { get; private set; }

        public int Timeouts { get; private set; }

        public long LargestFlightSeen { get; private set; }

        public void OnPeerReceiveWindow(long peerReceiveWindow)
        {
        }

        public void OnSack(uint cumulativeTsnAck, bool cumulativeAdvanced, long bytesAcknowledged, long flightSizeBefore, bool dataWaiting)
        {
            Sacks++;
            BytesAcknowledged += bytesAcknowledged;
            LargestFlightSeen = Math.Max(LargestFlightSeen, flightSizeBefore);
        }

        public void OnFastRetransmit(uint highestTsnSent)
        {
        }

        public void OnRetransmissionTimeout() => Timeouts++;
    }

    [Test]
    public void InjectedController_GovernsTheWindow_AndSeesEveryAcknowledgedByte()
    {
        var controller = new FixedWindow();
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        var link = new SctpTestLink(options, options, congestionControlA: controller);
        link.Connect();
        Assert.That(link.Pump(() => link.A.State == SctpAssociationState.Established && link.B.State == SctpAssociationState.Established), Is.True);

        var message = new byte[1000];
        for (var i = 0; i < 50; i++)
        {
            Assert.That(link.A.Send(1, 53, message, false, SctpReliability.Reliable, link.Now), Is.EqualTo(SctpSendStatus.Queued));
        }

        long largestFlight = 0;
        Assert.That(
            link.Pump(() =>
            {
                largestFlight = Math.Max(largestFlight, link.A.FlightSize);
                return link.MessagesReceivedByB == 50 && link.A.InflightChunkCount == 0;
            }),
            Is.True);
        Assert.That(link.A.CongestionWindow, Is.EqualTo(2400));
        Assert.That(largestFlight, Is.GreaterThan(0).And.LessThan(2400 + 1000), "at most one chunk beyond the injected window (RFC 9260 §6.1 B)");
        Assert.That(controller.LargestFlightSeen, Is.LessThan(2400 + 1000));
        Assert.That(controller.Sacks, Is.GreaterThan(0));
        Assert.That(controller.BytesAcknowledged, Is.EqualTo(50 * 1000), "each byte reported acknowledged exactly once");
        Assert.That(controller.Timeouts, Is.Zero);
    }
}
