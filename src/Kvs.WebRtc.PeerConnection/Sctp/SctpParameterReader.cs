using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Walks type-length-value parameters or error causes (RFC 9260 §3.2.1) without copying.</summary>
internal ref struct SctpParameterReader
{
    private ReadOnlySpan<byte> _remaining;

    public SctpParameterReader(ReadOnlySpan<byte> parameters)
    {
        _remaining = parameters;
        Malformed = false;
    }

    public bool Malformed { get; private set; }

    public bool TryReadNext(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < 4)
        {
            Malformed = true;
            _remaining = default;
            return false;
        }

        type = BinaryPrimitives.ReadUInt16BigEndian(_remaining);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_remaining[2..]);
        if (length < 4 || length > _remaining.Length)
        {
            Malformed = true;
            _remaining = default;
            return false;
        }

        value = _remaining[4..length];
        var padded = SctpPacket.Pad4(length);
        _remaining = padded >= _remaining.Length ? default : _remaining[padded..];
        return true;
    }
}
