using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// Walks the attributes of an already validated message (see <see cref="StunMessage.TryParse"/>), skipping those
/// that RFC 8489 §14.5 says to ignore (anything after MESSAGE-INTEGRITY but MESSAGE-INTEGRITY-SHA256 and FINGERPRINT).
/// </summary>
internal ref struct StunAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _raw;
    private readonly int _ignoreFrom;
    private int _next;
    private StunAttribute _current;

    /// <summary>Starts before the first attribute.</summary>
    public StunAttributeEnumerator(ReadOnlySpan<byte> raw, int ignoreFrom)
    {
        _raw = raw;
        _ignoreFrom = ignoreFrom;
        _next = StunMessage.HeaderSize;
        _current = default;
    }

    /// <summary>The current attribute.</summary>
    public readonly StunAttribute Current => _current;

    /// <summary>Lets <c>foreach</c> use this enumerator.</summary>
    public readonly StunAttributeEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next attribute; false at the end.</summary>
    public bool MoveNext()
    {
        // The message was validated by TryParse, but stay defensive: never read past the span.
        while (_next + 4 <= _raw.Length)
        {
            var offset = _next;
            var type = BinaryPrimitives.ReadUInt16BigEndian(_raw[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(_raw[(offset + 2)..]);
            if (offset + 4 + length > _raw.Length)
            {
                _next = _raw.Length;
                return false;
            }

            _next = offset + 4 + ((length + 3) & ~3);
            if (offset >= _ignoreFrom
                && type != (ushort)StunAttributeType.MessageIntegritySha256
                && type != (ushort)StunAttributeType.Fingerprint)
            {
                continue;
            }

            _current = new StunAttribute(type, _raw.Slice(offset + 4, length), offset);
            return true;
        }

        return false;
    }
}
