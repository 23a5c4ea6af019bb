namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>G.711 depacketizer (PCMU/PCMA): each payload is a frame of samples, one byte each; an empty payload is malformed.</summary>
internal sealed class G711Depacketizer : SinglePayloadFrameDepacketizer
{
    /// <inheritdoc />
    protected override bool IsWellFormed(ReadOnlySpan<byte> payload) => !payload.IsEmpty;
}
