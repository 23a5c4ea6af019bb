namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Packetizes whole encoded frames (access units) of one codec into RTP payloads: one instance per (sender track,
/// codec), single-threaded.
/// </summary>
/// <remarks>
/// <para>Use: <see cref="BeginFrame"/>, then <see cref="TryWriteNext"/> until it returns false. Each call writes one
/// payload into caller memory and allocates nothing in steady state. The frame memory must stay valid and unchanged
/// until <see cref="TryWriteNext"/> returns false (or the next <see cref="BeginFrame"/>).</para>
/// <para>Invalid frames never throw: they produce no payload, set a rejecting flag in <see cref="LastFrameFlags"/>
/// and count in <see cref="FramesRejected"/>.</para>
/// <para>All payloads of a frame share the frame's RTP timestamp, except for codecs whose samples may be split
/// (G.711): there each payload's timestamp is the frame's plus <see cref="PayloadTimestampOffset"/>.</para>
/// </remarks>
internal abstract class RtpPayloader
{
    /// <summary>Flags describing the frame given to the last <see cref="BeginFrame"/>.</summary>
    public RtpPayloaderFrameFlags LastFrameFlags { get; protected set; }

    /// <summary>True when the last frame was rejected (empty, too large or malformed) and produces no payload.</summary>
    public bool LastFrameRejected =>
        (LastFrameFlags & (RtpPayloaderFrameFlags.Empty | RtpPayloaderFrameFlags.TooLarge | RtpPayloaderFrameFlags.Malformed)) != 0;

    /// <summary>Frames accepted by <see cref="BeginFrame"/>.</summary>
    public long FramesAccepted { get; protected set; }

    /// <summary>Frames rejected by <see cref="BeginFrame"/> (they produced no payload).</summary>
    public long FramesRejected { get; protected set; }

    /// <summary>
    /// RTP timestamp offset, in clock units, of the payload written by the last successful <see cref="TryWriteNext"/>
    /// relative to the frame's timestamp: 0 for every codec except G.711, whose long frames are split into chunks.
    /// </summary>
    public virtual uint PayloadTimestampOffset => 0;

    /// <summary>
    /// Starts a frame, abandoning whatever is left of the previous one. Throws nothing: a frame that cannot be sent
    /// produces no payload and is flagged in <see cref="LastFrameFlags"/>.
    /// </summary>
    /// <param name="frame">The encoded frame; must stay valid until <see cref="TryWriteNext"/> returns false.</param>
    public abstract void BeginFrame(ReadOnlyMemory<byte> frame);

    /// <summary>Writes the next payload of the current frame.</summary>
    /// <param name="destination">Where to write; at most <c>min(destination.Length, maxPayloadSize)</c> bytes are used.</param>
    /// <param name="maxPayloadSize">The largest payload allowed (MTU minus IP, UDP, RTP, extension and SRTP overhead).</param>
    /// <param name="written">Bytes written.</param>
    /// <param name="isLast">True on the frame's last payload: the RTP marker bit for video.</param>
    /// <returns>False when the frame has no more payloads (nothing was written).</returns>
    public abstract bool TryWriteNext(Span<byte> destination, int maxPayloadSize, out int written, out bool isLast);

    /// <summary>Rejects the current frame after <see cref="BeginFrame"/> accepted it (e.g. too large for the payload size).</summary>
    protected void RejectCurrentFrame(RtpPayloaderFrameFlags reason)
    {
        if (!LastFrameRejected)
        {
            FramesAccepted--;
            FramesRejected++;
        }

        LastFrameFlags |= reason;
    }

    /// <summary>Records the outcome of <see cref="BeginFrame"/> in the flags and counters.</summary>
    protected void SetFrameFlags(RtpPayloaderFrameFlags flags)
    {
        LastFrameFlags = flags;
        if (LastFrameRejected)
        {
            FramesRejected++;
        }
        else
        {
            FramesAccepted++;
        }
    }
}
