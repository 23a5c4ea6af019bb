using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.Benchmarks.Sctp;

/// <summary>Two established associations wired back to back in memory (no DTLS, no latency), driven by one loop.</summary>
internal sealed class SctpLoopback
{
    private readonly byte[] _buffer = new byte[2048];
    private TimeSpan _now = TimeSpan.FromSeconds(1);

    public SctpLoopback()
    {
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        Sender = new SctpAssociation(options, _now);
        Receiver = new SctpAssociation(options, _now);
        Sender.Connect(_now);
        Receiver.Connect(_now);
        Run(() => Sender.State == SctpAssociationState.Established && Receiver.State == SctpAssociationState.Established, _ => { });
    }

    public SctpAssociation Sender { get; }

    public SctpAssociation Receiver { get; }

    /// <summary>Sends <paramref name="count"/> copies of <paramref name="message"/> and pumps until all arrived.</summary>
    public long Transfer(byte[] message, int count)
    {
        var sent = 0;
        var received = 0;
        long bytes = 0;
        Run(
            () =>
            {
                while (sent < count && Sender.TotalBufferedAmount < 1024 * 1024)
                {
                    if (Sender.Send(1, 53, message, false, SctpReliability.Reliable, _now) != SctpSendStatus.Queued)
                    {
                        throw new InvalidOperationException("send failed");
                    }

                    sent++;
                }

                return received == count;
            },
            e =>
            {
                if (e.Kind == SctpEventKind.MessageReceived)
                {
                    received++;
                    bytes += e.Data!.Length;
                }
            });
        return bytes;
    }

    private void Run(Func<bool> done, Action<SctpEvent> onReceiverEvent)
    {
        for (var idle = 0; idle < 1000;)
        {
            if (done())
            {
                return;
            }

            var moved = false;
            while (Sender.TryPollTransmit(_buffer, _now, out var length))
            {
                Receiver.HandleInput(_buffer.AsSpan(0, length), _now);
                moved = true;
            }

            while (Receiver.TryPollEvent(out var e))
            {
                onReceiverEvent(e);
            }

            while (Receiver.TryPollTransmit(_buffer, _now, out var length))
            {
                Sender.HandleInput(_buffer.AsSpan(0, length), _now);
                moved = true;
            }

            while (Sender.TryPollEvent(out _))
            {
            }

            if (!moved)
            {
                idle++;
                _now += TimeSpan.FromMilliseconds(1);
                Sender.HandleTimeout(_now);
                Receiver.HandleTimeout(_now);
            }
        }

        throw new InvalidOperationException("the loopback stalled");
    }
}
