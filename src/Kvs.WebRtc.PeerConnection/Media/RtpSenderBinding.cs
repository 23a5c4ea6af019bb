using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// One local track bound to one connection's sender: the payload type and SSRC this connection negotiated, and the
/// rule that a receiver starts on a key frame (frames before the first key frame after binding, or while SRTP is not
/// ready, are not sent; the track is asked for a key frame instead).
/// </summary>
/// <remarks>Called by the track's writer (one write at a time per track); the sink is thread-safe.</remarks>
internal sealed class RtpSenderBinding
{
    private readonly IRtpPacketSink _sink;
    private readonly RtpSendStatistics? _statistics;
    private bool _needsKeyFrame = true;
    private bool _waitedForSrtp;
    private long _pacerDropsSeen;

    public RtpSenderBinding(IRtpPacketSink sink, byte payloadType, uint ssrc, bool waitForKeyFrame, RtpSendStatistics? statistics = null)
    {
        _sink = sink;
        _statistics = statistics;
        PayloadType = payloadType;
        Ssrc = ssrc;
        _needsKeyFrame = waitForKeyFrame;
    }

    /// <summary>The bandwidth estimate of this binding's connection (bits/s), null until its peer gave feedback.</summary>
    public long? TargetBitrate => _sink.TargetBitrate;

    /// <summary>The negotiated payload type.</summary>
    public byte PayloadType { get; }

    /// <summary>The SSRC announced in our description.</summary>
    public uint Ssrc { get; }

    /// <summary>Set to false to drop frames (encoding inactive, direction without send).</summary>
    public bool Active { get; set; } = true;

    /// <summary>Answers NACKs for this binding from the track's history; null when loss recovery is off.</summary>
    public NackResponder? Nack { get; init; }

    /// <summary>Packets handed to the transport.</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Payload bytes handed to the transport (headers excluded).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Frames sent whole.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Frames not sent while waiting for a key frame or for SRTP.</summary>
    public long FramesSkipped { get; private set; }

    /// <summary>Key frames sent.</summary>
    public long KeyFramesSent { get; private set; }

    /// <summary>Whether the connection can send media yet (SRTP keys exist).</summary>
    public bool IsSinkSrtpReady => _sink.IsSrtpReady;

    /// <summary>
    /// SRTP became ready: true once for a video binding that still waits for its first key frame, whose key-frame request
    /// is then made by the connection (and not again by <see cref="SendFrame"/>).
    /// </summary>
    public bool TakeSrtpWait()
    {
        if (!_needsKeyFrame)
        {
            return false;
        }

        _waitedForSrtp = false;
        return true;
    }

    /// <summary>
    /// Sends one packetized frame. <paramref name="packets"/>[i] holds a whole RTP packet of <paramref name="lengths"/>[i]
    /// bytes whose payload type and SSRC are placeholders. Returns false when a key frame is needed first, or (after
    /// sending) when the connection's pacer dropped video since the last frame, so the receiver needs a key frame to recover.
    /// </summary>
    /// <param name="packets">The packets of the frame.</param>
    /// <param name="lengths">Their lengths.</param>
    /// <param name="count">How many.</param>
    /// <param name="isKeyFrame">Whether the frame is a key frame.</param>
    /// <param name="firstRequest">True (once) when false is returned for the first frame after SRTP became ready on a
    /// binding that waited for it: the track's request then is this receiver's first usable one and skips the rate limit
    /// (the request made when binding was rate-limited or its key frame came while SRTP was not ready; time to first
    /// frame). At most one such request per binding.</param>
    public bool SendFrame(byte[][] packets, int[] lengths, int count, bool isKeyFrame, out bool firstRequest)
    {
        firstRequest = false;
        if (!Active)
        {
            return true;
        }

        if (!_sink.IsSrtpReady)
        {
            _needsKeyFrame = true;
            _waitedForSrtp = true;
            FramesSkipped++;
            _statistics?.OnFrameSkipped();
            return !isKeyFrame;
        }

        if (_needsKeyFrame && !isKeyFrame)
        {
            FramesSkipped++;
            _statistics?.OnFrameSkipped();
            firstRequest = _waitedForSrtp;
            _waitedForSrtp = false;
            return false;
        }

        _needsKeyFrame = false;
        _waitedForSrtp = false;
        var sent = _sink.TrySendRtpBatch(packets, lengths, count, PayloadType, Ssrc, out var sentBytes);
        PacketsSent += sent;
        BytesSent += sentBytes - ((long)sent * RtpFixedHeader.Length);
        _statistics?.OnFrameSent(BinaryPrimitives.ReadUInt32BigEndian(packets[0].AsSpan(4)), sent, sentBytes - ((long)sent * RtpFixedHeader.Length), isKeyFrame);
        Nack?.OnMediaSent(sentBytes);

        FramesSent++;
        if (isKeyFrame)
        {
            KeyFramesSent++;
        }

        var drops = _sink.PacerDroppedPackets;
        if (drops != _pacerDropsSeen)
        {
            _pacerDropsSeen = drops;
            return false;
        }

        return true;
    }

    /// <summary>Forwards one already-packetized RTP packet (an <see cref="RtpPacketTrack"/>).</summary>
    public bool SendPacket(ReadOnlySpan<byte> packet)
    {
        if (!Active || !_sink.TrySendRtp(packet, PayloadType, Ssrc))
        {
            return false;
        }

        PacketsSent++;
        BytesSent += packet.Length;
        _statistics?.OnPacketSent(BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            RtpHeader.TryParse(packet, out var header) ? header.PayloadLength : packet.Length - RtpFixedHeader.Length);
        Nack?.OnMediaSent(packet.Length);
        return true;
    }
}
