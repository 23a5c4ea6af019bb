using System.Buffers;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>A decrypted RTP (<paramref name="isRtcp"/> false) or RTCP packet, handed over on the receive path.</summary>
internal delegate void MediaPacketReceiver(ReadOnlySpan<byte> packet, bool isRtcp);

/// <summary>
/// The SRTP half of the transport (RFC 5764): keys from the DTLS exporter once DTLS connects, RTP/RTCP demultiplexed
/// from DTLS by the first byte (RFC 7983: 128–191), RTCP told from RTP by the payload type (RFC 5761 §4). Nothing is
/// sent before the keys exist.
/// </summary>
/// <remarks>
/// Sending runs on the connection loop (see <c>PeerConnectionTransport.SendPath.cs</c>): the outbound context, the
/// header extensions and their transport-wide sequence numbers, the bandwidth estimator and the pacer are owned by it,
/// and packets leave in the order they were protected. Receiving unprotects on the loop too (the datagram entered it
/// from the socket's receive thread, inline when the loop was idle) and hands the packet to <see cref="MediaReceiver"/>
/// inline, still on the loop.
/// </remarks>
internal sealed partial class PeerConnectionTransport : IRtpPacketSink
{
    private readonly byte[] _mediaScratch = new byte[DatagramBufferSize + 64];
    private SrtpContext? _srtpOutbound; // written on the loop; read lock-free only to refuse sends before the keys
    private SrtpContext? _srtpInbound;
    private long _srtpPacketsSent;
    private long _srtpBytesSent;
    private long _srtpPacketsReceived;
    private long _srtpBytesReceived;
    private long _srtpDropped;
    private long _mediaBeforeKeys;
    private long _segmentBatchesSent;
    private byte[]? _segmentBuffer; // owned by the loop; allocated on the first batch (direct UDP pair with GSO)
    private Random? _mediaLoss; // test seam, owned by the loop
    private double _mediaLossRate;
    private long _mediaLossDropped;

    /// <summary>Receives every decrypted RTP and RTCP packet, inline on the connection loop (it must not wait for the loop).</summary>
    public MediaPacketReceiver? MediaReceiver { get; set; }

    /// <summary>Raised (on the dispatcher) once the SRTP keys exist.</summary>
    public event Action? SrtpReady;

    /// <summary>RTP packets the loss test seam dropped after SRTP (<see cref="SetOutgoingMediaLoss"/>).</summary>
    public long OutgoingMediaLossDropped => Interlocked.Read(ref _mediaLossDropped);

    /// <inheritdoc/>
    public bool IsSrtpReady => Volatile.Read(ref _srtpOutbound) is not null;

    /// <summary>SRTP/SRTCP packets sent and received, bytes, and packets dropped (failed authentication, replay, before keys).</summary>
    public (long PacketsSent, long BytesSent, long PacketsReceived, long BytesReceived, long Dropped) SrtpCounters =>
        (Interlocked.Read(ref _srtpPacketsSent), Interlocked.Read(ref _srtpBytesSent), Interlocked.Read(ref _srtpPacketsReceived),
            Interlocked.Read(ref _srtpBytesReceived), Interlocked.Read(ref _srtpDropped) + Interlocked.Read(ref _mediaBeforeKeys));

    /// <summary>Runs of several RTP packets that left in one socket call (UDP GSO); zero on the fallback path.</summary>
    public long SegmentBatchesSent => Interlocked.Read(ref _segmentBatchesSent);

    /// <summary>
    /// Test seam: drops <paramref name="rate"/> of the outgoing RTP packets (media and retransmissions, not RTCP) at
    /// random after SRTP protection, as a lossy path would; 0 turns it off. One packet per socket call while on.
    /// </summary>
    internal void SetOutgoingMediaLoss(double rate, int seed)
    {
        using (_loop.Enter())
        {
            _mediaLossRate = rate;
            _mediaLoss = rate > 0 ? new Random(seed) : null;
        }
    }

    // On the loop: protects and sends runs of RTP packets of one SSRC. On a direct UDP pair with GSO, the packets are
    // protected back to back into one buffer of the connection (in order, so SRTP indexes follow packet order) and each
    // run of equal-size protected packets (the last may be shorter) leaves in one socket call; otherwise, or when the
    // socket refuses segments, one send per packet.
    private int SendRtpBatchLocked(byte[][] packets, int[] lengths, int count, byte payloadType, uint ssrc, out long sentBytes)
    {
        sentBytes = 0;
        if (_srtpOutbound is not { } context || _closed || _ice is null)
        {
            return 0;
        }

        var sent = 0;
        if (count < 2 || !_ice.CanSendSegments || _mediaLoss is not null)
        {
            for (var i = 0; i < count; i++)
            {
                if (SendOneLocked(packets[i].AsSpan(0, lengths[i]), rtcp: false, payloadType, ssrc))
                {
                    sent++;
                    sentBytes += lengths[i];
                }
            }

            return sent;
        }

        var extensions = FindSendExtensions(ssrc);

        // One run at a time: it leaves (the socket copies it) before the next is written at the start again.
        var buffer = _segmentBuffer ??= new byte[SegmentBatch.MaxBytes + DatagramBufferSize + 64];
        var runEnd = 0;
        var runSize = 0;
        var now = extensions is null ? TimeSpan.Zero : Now;
        for (var i = 0; i < count; i++)
        {
            var length = lengths[i];
            if (length < 8 || length > DatagramBufferSize)
            {
                continue;
            }

            var source = packets[i].AsSpan(0, length);
            var written = extensions?.GetWrittenLength(source) ?? length;

            // A packet longer than the run's segments, or one more than a batch holds, starts a new run.
            if (runEnd > 0 && (written + context.RtpOverhead > runSize || !SegmentBatch.Fits(runEnd + runSize, runSize)))
            {
                SendRunLocked(buffer, 0, runEnd, runSize);
                runEnd = 0;
            }

            var packet = buffer.AsSpan(runEnd);
            written = WriteRtpLocked(source, packet, payloadType, ssrc, extensions, now, out var usedTransportSequence);
            if (context.ProtectRtp(packet, written, out var protectedLength) != SrtpError.None)
            {
                Interlocked.Increment(ref _srtpDropped);
                continue;
            }

            OnRtpProtectedLocked(usedTransportSequence, protectedLength, now);
            sent++;
            sentBytes += length;
            if (runEnd == 0)
            {
                runSize = protectedLength;
            }

            runEnd += protectedLength;
            if (protectedLength < runSize)
            {
                // A shorter segment can only be a run's last.
                SendRunLocked(buffer, 0, runEnd, runSize);
                runEnd = 0;
            }
        }

        if (runEnd > 0)
        {
            SendRunLocked(buffer, 0, runEnd, runSize);
        }

        return sent;
    }

    // On the loop: protects one RTP (header extensions of its SSRC written) or RTCP packet and sends it.
    private bool SendOneLocked(ReadOnlySpan<byte> packet, bool rtcp, byte payloadType, uint ssrc)
    {
        if (_srtpOutbound is not { } context || _closed || _ice is null || packet.Length < 8 || packet.Length > DatagramBufferSize)
        {
            return false;
        }

        var extensions = rtcp ? null : FindSendExtensions(ssrc);
        var written = extensions?.GetWrittenLength(packet) ?? packet.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(written + context.RtcpOverhead + context.RtpOverhead);
        SrtpError error;
        int length;
        if (rtcp)
        {
            packet.CopyTo(buffer);
            error = context.ProtectRtcp(buffer, packet.Length, out length);
        }
        else
        {
            var now = extensions is null ? TimeSpan.Zero : Now;
            written = WriteRtpLocked(packet, buffer, payloadType, ssrc, extensions, now, out var usedTransportSequence);
            error = context.ProtectRtp(buffer, written, out length);
            if (error == SrtpError.None)
            {
                OnRtpProtectedLocked(usedTransportSequence, length, now);
            }
        }

        if (error != SrtpError.None)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Increment(ref _srtpDropped);
            return false;
        }

        if (!rtcp && _mediaLoss is { } loss && loss.NextDouble() < _mediaLossRate)
        {
            // Test seam: lost on the way, after SRTP (the index is spent, as on a real lossy path).
            Interlocked.Increment(ref _mediaLossDropped);
            ArrayPool<byte>.Shared.Return(buffer);
            return true;
        }

        // Sent on the loop, so packets leave in the order they were protected (SRTP indexes, receivers' replay windows).
        SendMedia(buffer, length);
        return true;
    }

    private void SendMedia(byte[] buffer, int length)
    {
        Interlocked.Increment(ref _srtpPacketsSent);
        Interlocked.Add(ref _srtpBytesSent, length);
        SendDatagram(buffer, length);
    }

    // Sends protected packets buffer[start..end), each segmentSize bytes but the last: one socket call when the path
    // takes segments, else one datagram per packet (copied, as SendDatagram returns its buffer to the pool).
    private void SendRunLocked(byte[] buffer, int start, int end, int segmentSize)
    {
        var packets = (end - start + segmentSize - 1) / segmentSize;
        Interlocked.Add(ref _srtpPacketsSent, packets);
        Interlocked.Add(ref _srtpBytesSent, end - start);
        if (_ice!.TrySendSegments(buffer.AsSpan(start, end - start), segmentSize))
        {
            Interlocked.Add(ref _packetsSent, packets);
            Interlocked.Add(ref _bytesSent, end - start);
            if (packets > 1)
            {
                Interlocked.Increment(ref _segmentBatchesSent);
            }

            return;
        }

        for (var offset = start; offset < end; offset += segmentSize)
        {
            var length = Math.Min(segmentSize, end - offset);
            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(offset, length).CopyTo(copy);
            SendDatagram(copy, length);
        }
    }

    // On the loop: an SRTP/SRTCP datagram.
    private void OnMediaDatagram(ReadOnlySpan<byte> datagram)
    {
        var context = Volatile.Read(ref _srtpInbound);
        if (context is null || datagram.Length > _mediaScratch.Length)
        {
            Interlocked.Increment(ref _mediaBeforeKeys);
            return;
        }

        datagram.CopyTo(_mediaScratch);
        var packet = _mediaScratch.AsSpan(0, datagram.Length);
        var isRtcp = datagram.Length >= 2 && datagram[1] is >= 192 and <= 223;
        var error = isRtcp ? context.UnprotectRtcp(packet, out var length) : context.UnprotectRtp(packet, out length);
        if (error != SrtpError.None)
        {
            Interlocked.Increment(ref _srtpDropped);
            return;
        }

        Interlocked.Increment(ref _srtpPacketsReceived);
        Interlocked.Add(ref _srtpBytesReceived, datagram.Length);
        if (!isRtcp)
        {
            RecordTransportSequence(packet[..length]);
        }

        MediaReceiver?.Invoke(packet[..length], isRtcp);
    }

    // On the loop, when DTLS reaches Connected.
    private void StartSrtpLocked(DtlsConnection dtls)
    {
        if (_srtpOutbound is not null || dtls.SrtpProfile is not { } profile)
        {
            return;
        }

        Span<byte> material = stackalloc byte[dtls.SrtpKeyingMaterialLength];
        dtls.ExportSrtpKeyingMaterial(material);
        var (outbound, inbound) = SrtpContext.CreateFromKeyingMaterial((SrtpProfile)(ushort)profile, material, dtls.Role == DtlsRole.Client);
        material.Clear();
        Volatile.Write(ref _srtpInbound, inbound);
        Volatile.Write(ref _srtpOutbound, outbound);
        _dispatcher.Post(() => SrtpReady?.Invoke());
    }

    private void DisposeSrtp()
    {
        using (_loop.Enter())
        {
            _srtpOutbound?.Dispose();
            _srtpOutbound = null;
            _srtpInbound?.Dispose();
            _srtpInbound = null;
        }
    }
}
