using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// Builds one STUN message into caller memory: the header is written by the constructor, attributes are appended
/// (padded to 4 bytes with zeros), and the header length is kept current after each append. Finish with
/// <c>AddMessageIntegrity</c>, <c>AddMessageIntegritySha256</c> and/or <see cref="AddFingerprint"/>
/// in that order, then send <see cref="Written"/>.
/// </summary>
/// <remarks>
/// RFC 8489 §5, §14. A destination that is too small is a caller bug and throws <see cref="ArgumentException"/>;
/// 1,500 bytes fit every message this stack builds except large Send indications (use
/// <see cref="GetAttributeSize"/> to size those).
/// </remarks>
internal ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Writes the header into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 20 bytes.</exception>
    public StunMessageWriter(Span<byte> destination, StunMessageType type, TransactionId transactionId)
    {
        if (destination.Length < StunMessage.HeaderSize)
        {
            throw new ArgumentException("Destination is smaller than a STUN header.", nameof(destination));
        }

        _buffer = destination;
        BinaryPrimitives.WriteUInt16BigEndian(destination, type.ToWire());
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunMessage.MagicCookie);
        transactionId.WriteTo(destination[8..]);
        _length = StunMessage.HeaderSize;
    }

    /// <summary>Total bytes written so far (header included).</summary>
    public readonly int Length => _length;

    /// <summary>The message so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>The on-wire size of an attribute with a value of <paramref name="valueLength"/> bytes (header and padding included).</summary>
    public static int GetAttributeSize(int valueLength) => 4 + ((valueLength + 3) & ~3);

    /// <summary>Appends an attribute header and returns the value area to fill (padding is already zeroed).</summary>
    public Span<byte> AddAttribute(StunAttributeType type, int valueLength) => AddAttribute((ushort)type, valueLength);

    /// <summary>Appends an attribute of a raw type number and returns the value area to fill.</summary>
    public Span<byte> AddAttribute(ushort type, int valueLength)
    {
        if ((uint)valueLength > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(valueLength));
        }

        var size = GetAttributeSize(valueLength);
        if (_length + size > _buffer.Length || _length + size - StunMessage.HeaderSize > 0xFFFC)
        {
            throw new ArgumentException("Destination too small for the STUN attribute.");
        }

        var at = _buffer[_length..];
        BinaryPrimitives.WriteUInt16BigEndian(at, type);
        BinaryPrimitives.WriteUInt16BigEndian(at[2..], (ushort)valueLength);
        at.Slice(4 + valueLength, size - 4 - valueLength).Clear();
        _length += size;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessage.HeaderSize));
        return at.Slice(4, valueLength);
    }

    /// <summary>Appends an attribute with the given value.</summary>
    public void AddAttribute(StunAttributeType type, ReadOnlySpan<byte> value) => value.CopyTo(AddAttribute(type, value.Length));

    /// <summary>Appends a UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE).</summary>
    public void AddString(StunAttributeType type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, AddAttribute(type, byteCount));
    }

    /// <summary>Appends a 32-bit attribute (PRIORITY, LIFETIME).</summary>
    public void AddUInt32(StunAttributeType type, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(AddAttribute(type, 4), value);

    /// <summary>Appends a 64-bit attribute (ICE-CONTROLLING, ICE-CONTROLLED).</summary>
    public void AddUInt64(StunAttributeType type, ulong value) =>
        BinaryPrimitives.WriteUInt64BigEndian(AddAttribute(type, 8), value);

    /// <summary>Appends an empty attribute (USE-CANDIDATE, DONT-FRAGMENT).</summary>
    public void AddFlag(StunAttributeType type) => AddAttribute(type, 0);

    /// <summary>Appends USERNAME.</summary>
    public void AddUsername(string username) => AddString(StunAttributeType.Username, username);

    /// <summary>Appends PRIORITY (RFC 8445 §7.1.1).</summary>
    public void AddPriority(uint priority) => AddUInt32(StunAttributeType.Priority, priority);

    /// <summary>Appends ICE-CONTROLLING with the tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlling, tieBreaker);

    /// <summary>Appends ICE-CONTROLLED with the tie-breaker (RFC 8445 §7.1.3).</summary>
    public void AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlled, tieBreaker);

    /// <summary>Appends USE-CANDIDATE (RFC 8445 §7.1.2).</summary>
    public void AddUseCandidate() => AddFlag(StunAttributeType.UseCandidate);

    /// <summary>Appends LIFETIME in whole seconds (RFC 8656 §18.2).</summary>
    public void AddLifetime(TimeSpan lifetime) =>
        AddUInt32(StunAttributeType.Lifetime, (uint)Math.Clamp(lifetime.TotalSeconds, 0, uint.MaxValue));

    /// <summary>Appends REQUESTED-TRANSPORT (RFC 8656 §18.8); 17 = UDP.</summary>
    public void AddRequestedTransport(byte protocol = 17)
    {
        var value = AddAttribute(StunAttributeType.RequestedTransport, 4);
        value.Clear();
        value[0] = protocol;
    }

    /// <summary>Appends CHANNEL-NUMBER (RFC 8656 §18.1).</summary>
    public void AddChannelNumber(ushort channel)
    {
        var value = AddAttribute(StunAttributeType.ChannelNumber, 4);
        BinaryPrimitives.WriteUInt16BigEndian(value, channel);
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], 0);
    }

    /// <summary>Appends an XOR-encoded address (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS).</summary>
    public void AddXorAddress(StunAttributeType type, IPEndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var value = AddAttribute(type, StunAddressCodec.GetValueLength(address));
        StunAddressCodec.Encode(address, _buffer.Slice(8, TransactionId.Size), xor: true, value);
    }

    /// <summary>Appends a plain address (MAPPED-ADDRESS).</summary>
    public void AddAddress(StunAttributeType type, IPEndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var value = AddAttribute(type, StunAddressCodec.GetValueLength(address));
        StunAddressCodec.Encode(address, _buffer.Slice(8, TransactionId.Size), xor: false, value);
    }

    /// <summary>Appends ERROR-CODE (RFC 8489 §14.8).</summary>
    /// <param name="code">300 to 699.</param>
    /// <param name="reason">Reason phrase (UTF-8, kept short).</param>
    public void AddErrorCode(int code, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        ArgumentNullException.ThrowIfNull(reason);
        var reasonLength = Encoding.UTF8.GetByteCount(reason);
        var value = AddAttribute(StunAttributeType.ErrorCode, 4 + reasonLength);
        value[0] = 0;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, value[4..]);
    }

    /// <summary>Appends UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        var value = AddAttribute(StunAttributeType.UnknownAttributes, types.Length * 2);
        for (var i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value[(i * 2)..], types[i]);
        }
    }

    /// <summary>Appends MESSAGE-INTEGRITY (HMAC-SHA1 keyed with <paramref name="key"/>, RFC 8489 §14.5).</summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        var offset = _length;
        var value = AddAttribute(StunAttributeType.MessageIntegrity, StunIntegrity.Sha1Length);

        // The header length already counts this attribute, as §14.5 requires for the HMAC input.
        StunIntegrity.ComputeHmac(_buffer, offset, StunIntegrity.Sha1Length, key, sha256: false, value);
    }

    /// <summary>Appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes, RFC 8489 §14.6).</summary>
    public void AddMessageIntegritySha256(ReadOnlySpan<byte> key)
    {
        var offset = _length;
        var value = AddAttribute(StunAttributeType.MessageIntegritySha256, StunIntegrity.Sha256Length);
        StunIntegrity.ComputeHmac(_buffer, offset, StunIntegrity.Sha256Length, key, sha256: true, value);
    }

    /// <summary>Appends MESSAGE-INTEGRITY with a cached-state key (faster than the span overload).</summary>
    public void AddMessageIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var offset = _length;
        var value = AddAttribute(StunAttributeType.MessageIntegrity, StunIntegrity.Sha1Length);
        key.ComputeHmac(_buffer, offset, StunIntegrity.Sha1Length, sha256: false, value);
    }

    /// <summary>Appends MESSAGE-INTEGRITY-SHA256 with a cached-state key.</summary>
    public void AddMessageIntegritySha256(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var offset = _length;
        var value = AddAttribute(StunAttributeType.MessageIntegritySha256, StunIntegrity.Sha256Length);
        key.ComputeHmac(_buffer, offset, StunIntegrity.Sha256Length, sha256: true, value);
    }

    /// <summary>Appends FINGERPRINT (RFC 8489 §14.7); must be the last attribute.</summary>
    public void AddFingerprint()
    {
        var offset = _length;
        var value = AddAttribute(StunAttributeType.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(value, StunIntegrity.ComputeFingerprint(_buffer, offset));
    }
}
