namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The codec-specific half of <see cref="RtpFrameAssembler"/>: says where frames start and end, and turns the
/// payloads of one frame, given in sequence order, into the codec's frame bytes.
/// </summary>
/// <remarks>
/// Call order for a frame: <see cref="BeginFrame"/>, <see cref="Append"/> per payload in sequence order (each with
/// at least <see cref="GetOutputLength"/> bytes of room), then <see cref="EndFrame"/>. Never throws on bad bytes
/// and never reads past a payload.
/// </remarks>
internal abstract class RtpDepacketizer
{
    /// <summary>True when the payload can be the first of a frame (a partition head).</summary>
    public virtual bool IsFrameStart(ReadOnlySpan<byte> payload) => true;

    /// <summary>
    /// True when <see cref="IsFrameStart"/> is certain (VP8 S bit and partition 0, VP9 B bit, audio). False for
    /// H.264/H.265, where a single NAL or aggregation packet may or may not open its access unit.
    /// </summary>
    public virtual bool FrameStartIsExplicit => true;

    /// <summary>
    /// True when <paramref name="payload"/> certainly opens an access unit even where <see cref="FrameStartIsExplicit"/>
    /// is false: for H.264/H.265 a first NAL unit that only the start of an access unit carries (an access unit delimiter,
    /// an SPS or a VPS, alone or first in an aggregation packet). Lets the assembler trust a frame whose predecessor it
    /// did not see (the first packets of a stream, or after a gap). False by default: codecs whose frame start is explicit
    /// in every packet are never asked.
    /// </summary>
    public virtual bool IsAccessUnitStart(ReadOnlySpan<byte> payload) => false;

    /// <summary>
    /// What frame a single payload belongs to, where the codec tells it in every packet: true for a key frame's packet,
    /// false for a delta frame's, null when it cannot tell (the default). Stateless.
    /// </summary>
    public virtual bool? IsKeyFramePacket(ReadOnlySpan<byte> payload) => null;

    /// <summary>True when the payload is the last of its frame. Video: the marker bit; audio: every payload.</summary>
    public virtual bool IsFrameEnd(ReadOnlySpan<byte> payload, bool marker) => marker;

    /// <summary>
    /// The most bytes <see cref="Append"/> will write for this payload (size first, then write); any value is
    /// allowed for a malformed payload, which <see cref="Append"/> then rejects.
    /// </summary>
    public abstract int GetOutputLength(ReadOnlySpan<byte> payload);

    /// <summary>Resets the per-frame state.</summary>
    public abstract void BeginFrame();

    /// <summary>Appends one payload's contribution to the frame.</summary>
    public abstract RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written);

    /// <summary>Ends the frame.</summary>
    /// <param name="isKeyFrame">Whether the frame is a key frame (decodable on its own).</param>
    /// <returns>False when the frame is incomplete (e.g. a fragmented unit without its end).</returns>
    public abstract bool EndFrame(out bool isKeyFrame);
}
