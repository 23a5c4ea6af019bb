using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Codecs;
using Kvs.WebRtc.PeerConnection.Transport;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>
/// Sends hand-made plaintext RTP/RTCP through a connection's transport (SRTP-protected like real media), so that
/// hostile content inside valid SRTP reaches the receiving connection's parsers and routing. Keeps its own sequence
/// numbers and timestamp for the stream it impersonates, and waits until the receiver has taken every datagram sent.
/// </summary>
internal sealed class RtpInjector
{
    private readonly PeerConnectionTransport _sender;
    private readonly PeerConnectionTransport _receiver;
    private long _accepted;
    private readonly long _receiverBaseline;

    public RtpInjector(RTCPeerConnection sender, RTCPeerConnection receiver, byte payloadType, uint ssrc)
    {
        _sender = sender.TransportForTests;
        _receiver = receiver.TransportForTests;
        PayloadType = payloadType;
        Ssrc = ssrc;
        _receiverBaseline = ReceiverTotal();
    }

    public byte PayloadType { get; }

    public uint Ssrc { get; }

    public ushort Sequence { get; set; } = 30000;

    public uint Timestamp { get; set; } = 1_000_000;

    /// <summary>Datagrams the sending transport accepted (protected and sent).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>
    /// Sends a packet as is, except that the transport writes <paramref name="payloadType"/> and <paramref name="ssrc"/> into it.
    /// Sent on the sending connection's loop (this thread holds no lock the loop takes), so the result says whether it
    /// was protected and sent, never only queued behind a busy loop.
    /// </summary>
    public bool SendRtp(ReadOnlySpan<byte> packet, byte? payloadType = null, uint? ssrc = null)
    {
        using (_sender.Loop.Enter())
        {
            return Count(_sender.TrySendRtp(packet, payloadType ?? PayloadType, ssrc ?? Ssrc));
        }
    }

    /// <summary>Sends one RTCP packet, on the sending connection's loop as <see cref="SendRtp"/>.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> packet)
    {
        using (_sender.Loop.Enter())
        {
            return Count(_sender.TrySendRtcp(packet));
        }
    }

    /// <summary>A 12-byte header with the next sequence number and the current timestamp, then <paramref name="payload"/>.</summary>
    public byte[] Packet(ReadOnlySpan<byte> payload, bool marker)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), Ssrc);
        payload.CopyTo(packet.AsSpan(12));
        return packet;
    }

    /// <summary>Packetizes an H.264 access unit (Annex B) with our payloader and sends it; the timestamp moves 1 s on first.</summary>
    public void SendH264Frame(byte[] annexB)
    {
        Timestamp += 90000;
        var payloader = new H264Payloader();
        payloader.BeginFrame(annexB);
        var buffer = new byte[1200];
        bool last;
        do
        {
            if (!payloader.TryWriteNext(buffer, 1100, out var written, out last))
            {
                throw new InvalidOperationException("The payloader refused the frame.");
            }

            SendRtp(Packet(buffer.AsSpan(0, written), last));
        }
        while (!last);
    }

    /// <summary>Waits until the receiving transport has taken (decrypted or dropped) every datagram accepted so far.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        while (ReceiverTotal() - _receiverBaseline < Accepted)
        {
            await Task.Delay(2, ct);
        }
    }

    /// <summary>Sends in batches of 64, draining between them, so that no datagram is lost in the socket buffers.</summary>
    public async Task<int> SendPacedAsync(IEnumerable<Func<bool>> sends, CancellationToken ct)
    {
        var accepted = 0;
        var inBatch = 0;
        foreach (var send in sends)
        {
            accepted += send() ? 1 : 0;
            if (++inBatch == 64)
            {
                inBatch = 0;
                await DrainAsync(ct);
            }
        }

        await DrainAsync(ct);
        return accepted;
    }

    private long ReceiverTotal()
    {
        var counters = _receiver.SrtpCounters;
        return counters.PacketsReceived + counters.Dropped;
    }

    private bool Count(bool accepted)
    {
        if (accepted)
        {
            Interlocked.Increment(ref _accepted);
        }

        return accepted;
    }
}
