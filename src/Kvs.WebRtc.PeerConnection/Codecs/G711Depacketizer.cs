namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>G.711 depacketizer (PCMU/PCMA): each payload is a frame of samples, one byte each.</summary>
internal sealed class G711Depacketizer : RtpDepacketizer
{
    private bool _appended;

    /// <inheritdoc />
    public override bool IsFrameEnd(ReadOnlySpan<byte> payload, bool marker) => true;

    /// <inheritdoc />
    public override int GetOutputLength(ReadOnlySpan<byte> payload) => payload.Length;

    /// <inheritdoc />
    public override void BeginFrame() => _appended = false;

    /// <inheritdoc />
    public override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.IsEmpty)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        payload.CopyTo(destination);
        written = payload.Length;
        _appended = true;
        return RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    public override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = true;
        return _appended;
    }
}
