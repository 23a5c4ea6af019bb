namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A local track fed with RTP packets that are already packetized (from a camera's RTP output or another peer):
/// each is forwarded to every bound sender with that sender's payload type and SSRC (the rest of the packet, sequence
/// numbers and timestamps included, is kept).
/// </summary>
/// <remarks>No key-frame gating (the payload is not inspected): request a key frame from the source on
/// <see cref="LocalMediaTrack.KeyFrameRequested"/>. Thread-safe.</remarks>
public sealed class RtpPacketTrack : LocalMediaTrack
{
    private long _packetsRejected;

    /// <summary>Creates a track forwarding RTP packets of <paramref name="codec"/>.</summary>
    public RtpPacketTrack(RTCRtpCodec codec, string? id = null)
        : base(codec, id)
    {
    }

    /// <summary>Packets refused because they were not RTP.</summary>
    public long PacketsRejected => Interlocked.Read(ref _packetsRejected);

    /// <summary>Forwards one RTP packet to every bound sender.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before sending.</exception>
    public ValueTask WriteRtpAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var span = packet.Span;
        if (span.Length < RtpFixedHeader.Length || (span[0] & 0xC0) != 0x80)
        {
            Interlocked.Increment(ref _packetsRejected);
            return ValueTask.CompletedTask;
        }

        var bindings = Bindings;
        if (bindings.Length > 0 && History is { } history)
        {
            history.Add(span, HistoryNow);
        }

        foreach (var binding in bindings)
        {
            binding.SendPacket(span);
        }

        return ValueTask.CompletedTask;
    }
}
