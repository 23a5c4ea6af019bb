using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// A parsed STUN message: a validated view over the caller's bytes (no copy, no allocation to parse).
/// Valid only while those bytes are. Attribute getters return the first occurrence of a type (RFC 8489 §14:
/// later duplicates may be ignored) and skip attributes that follow MESSAGE-INTEGRITY (§14.5).
/// </summary>
/// <remarks>RFC 8489 §5 (header), §14 (attributes).</remarks>
internal readonly ref struct StunMessage
{
    /// <summary>Size of the STUN header in bytes.</summary>
    public const int HeaderSize = 20;

    /// <summary>The magic cookie (RFC 8489 §5).</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>The largest message the 16-bit length field allows (header included).</summary>
    public const int MaxSize = HeaderSize + 0xFFFC;

    private readonly int _ignoreFrom;

    private StunMessage(ReadOnlySpan<byte> raw, int integrityOffset, int integritySha256Offset, int fingerprintOffset, int ignoreFrom)
    {
        Raw = raw;
        IntegrityOffset = integrityOffset;
        IntegritySha256Offset = integritySha256Offset;
        FingerprintOffset = fingerprintOffset;
        _ignoreFrom = ignoreFrom;
    }

    /// <summary>The whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The message type (method and class).</summary>
    public StunMessageType Type => StunMessageType.FromWire(BinaryPrimitives.ReadUInt16BigEndian(Raw));

    /// <summary>The method.</summary>
    public StunMethod Method => Type.Method;

    /// <summary>The class.</summary>
    public StunClass Class => Type.Class;

    /// <summary>The transaction id.</summary>
    public TransactionId TransactionId => TransactionId.Read(Raw[8..]);

    /// <summary>The 12 transaction id bytes.</summary>
    public ReadOnlySpan<byte> TransactionIdBytes => Raw.Slice(8, TransactionId.Size);

    /// <summary>True when the message carries MESSAGE-INTEGRITY.</summary>
    public bool HasMessageIntegrity => IntegrityOffset >= 0;

    /// <summary>True when the message carries MESSAGE-INTEGRITY-SHA256.</summary>
    public bool HasMessageIntegritySha256 => IntegritySha256Offset >= 0;

    /// <summary>True when the message carries FINGERPRINT (always the last attribute).</summary>
    public bool HasFingerprint => FingerprintOffset >= 0;

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute header, or -1.</summary>
    internal int IntegrityOffset { get; }

    /// <summary>Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, or -1.</summary>
    internal int IntegritySha256Offset { get; }

    /// <summary>Offset of the FINGERPRINT attribute header, or -1.</summary>
    internal int FingerprintOffset { get; }

    /// <summary>
    /// Cheap test whether <paramref name="data"/> looks like a STUN message (leading bits, cookie, length):
    /// for demultiplexing before a full parse.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> data) =>
        data.Length >= HeaderSize
        && (data[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(data[4..]) == MagicCookie
        && (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) & 3) == 0;

    /// <summary>
    /// Validates the header and the attribute layout of one whole message; never throws and never reads past
    /// <paramref name="data"/>. Integrity and fingerprint are not checked here: call
    /// <c>VerifyMessageIntegrity</c>, <c>VerifyMessageIntegritySha256</c>, <see cref="VerifyFingerprint"/>.
    /// </summary>
    /// <param name="data">Exactly one message (a UDP datagram, or a frame cut from a stream).</param>
    /// <param name="message">The parsed view, on success.</param>
    /// <param name="error">Why the bytes were rejected, on failure.</param>
    public static bool TryParse(ReadOnlySpan<byte> data, out StunMessage message, out StunParseError error)
    {
        message = default;
        if (data.Length < HeaderSize)
        {
            error = StunParseError.Truncated;
            return false;
        }

        if ((data[0] & 0xC0) != 0)
        {
            error = StunParseError.NotStun;
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != MagicCookie)
        {
            error = StunParseError.BadMagicCookie;
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if ((length & 3) != 0)
        {
            error = StunParseError.BadLength;
            return false;
        }

        if (data.Length < HeaderSize + length)
        {
            error = StunParseError.Truncated;
            return false;
        }

        if (data.Length > HeaderSize + length)
        {
            error = StunParseError.TrailingData;
            return false;
        }

        var integrity = -1;
        var integrity256 = -1;
        var fingerprint = -1;
        var ignoreFrom = int.MaxValue;
        var offset = HeaderSize;
        var end = data.Length;
        while (offset < end)
        {
            if (offset + 4 > end)
            {
                error = StunParseError.AttributeOverrun;
                return false;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int attributeLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            var next = offset + 4 + ((attributeLength + 3) & ~3);
            if (next > end)
            {
                error = StunParseError.AttributeOverrun;
                return false;
            }

            if (fingerprint >= 0)
            {
                error = StunParseError.AttributeAfterFingerprint;
                return false;
            }

            switch ((StunAttributeType)type)
            {
                case StunAttributeType.MessageIntegrity:
                    if (attributeLength != StunIntegrity.Sha1Length)
                    {
                        error = StunParseError.MalformedIntegrityAttribute;
                        return false;
                    }

                    // §14.5: only the first counts, and only if it precedes MESSAGE-INTEGRITY-SHA256.
                    if (offset < ignoreFrom)
                    {
                        integrity = offset;
                        ignoreFrom = next;
                    }

                    break;
                case StunAttributeType.MessageIntegritySha256:
                    // §14.6: 16 to 32 bytes, a multiple of 4.
                    if (attributeLength < 16 || attributeLength > 32 || (attributeLength & 3) != 0)
                    {
                        error = StunParseError.MalformedIntegrityAttribute;
                        return false;
                    }

                    if (integrity256 < 0)
                    {
                        integrity256 = offset;
                        ignoreFrom = Math.Min(ignoreFrom, next);
                    }

                    break;
                case StunAttributeType.Fingerprint:
                    if (attributeLength != 4)
                    {
                        error = StunParseError.MalformedIntegrityAttribute;
                        return false;
                    }

                    fingerprint = offset;
                    break;
            }

            offset = next;
        }

        message = new StunMessage(data, integrity, integrity256, fingerprint, ignoreFrom);
        error = StunParseError.None;
        return true;
    }

    /// <summary>The attributes in order (those to be ignored per RFC 8489 §14.5 left out).</summary>
    public StunAttributeEnumerator GetAttributes() => new(Raw, _ignoreFrom);

    /// <summary>True when an attribute of <paramref name="type"/> is present.</summary>
    public bool Contains(StunAttributeType type) => TryGetAttribute(type, out _);

    /// <summary>The value (unpadded) of the first attribute of <paramref name="type"/>.</summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        foreach (var attribute in GetAttributes())
        {
            if (attribute.RawType == (ushort)type)
            {
                value = attribute.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE). Invalid UTF-8 becomes U+FFFD.</summary>
    public bool TryGetString(StunAttributeType type, out string value)
    {
        if (TryGetAttribute(type, out var bytes))
        {
            value = Encoding.UTF8.GetString(bytes);
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>A 32-bit attribute (PRIORITY, LIFETIME); false when absent or not exactly 4 bytes.</summary>
    public bool TryGetUInt32(StunAttributeType type, out uint value)
    {
        if (TryGetAttribute(type, out var bytes) && bytes.Length == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>A 64-bit attribute (ICE-CONTROLLING, ICE-CONTROLLED); false when absent or not exactly 8 bytes.</summary>
    public bool TryGetUInt64(StunAttributeType type, out ulong value)
    {
        if (TryGetAttribute(type, out var bytes) && bytes.Length == 8)
        {
            value = BinaryPrimitives.ReadUInt64BigEndian(bytes);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>An XOR-encoded address (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS).</summary>
    public bool TryGetXorAddress(StunAttributeType type, out IPEndPoint address)
    {
        if (TryGetAttribute(type, out var bytes))
        {
            return StunAddressCodec.TryDecode(bytes, TransactionIdBytes, xor: true, out address);
        }

        address = null!;
        return false;
    }

    /// <summary>A plain address attribute (MAPPED-ADDRESS, ALTERNATE-SERVER).</summary>
    public bool TryGetAddress(StunAttributeType type, out IPEndPoint address)
    {
        if (TryGetAttribute(type, out var bytes))
        {
            return StunAddressCodec.TryDecode(bytes, TransactionIdBytes, xor: false, out address);
        }

        address = null!;
        return false;
    }

    /// <summary>ERROR-CODE (RFC 8489 §14.8): code 300-699 and the reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out string reason)
    {
        code = 0;
        reason = string.Empty;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out var bytes) || bytes.Length < 4)
        {
            return false;
        }

        var errorClass = bytes[2] & 0x07;
        var number = bytes[3];
        if (errorClass < 3 || errorClass > 6 || number > 99)
        {
            return false;
        }

        code = (errorClass * 100) + number;
        reason = Encoding.UTF8.GetString(bytes[4..]);
        return true;
    }

    /// <summary>LIFETIME (RFC 8656 §18.2) as a duration.</summary>
    public bool TryGetLifetime(out TimeSpan lifetime)
    {
        if (TryGetUInt32(StunAttributeType.Lifetime, out var seconds))
        {
            lifetime = TimeSpan.FromSeconds(seconds);
            return true;
        }

        lifetime = TimeSpan.Zero;
        return false;
    }

    /// <summary>CHANNEL-NUMBER (RFC 8656 §18.1).</summary>
    public bool TryGetChannelNumber(out ushort channel)
    {
        if (TryGetAttribute(StunAttributeType.ChannelNumber, out var bytes) && bytes.Length == 4)
        {
            channel = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            return true;
        }

        channel = 0;
        return false;
    }

    /// <summary>REQUESTED-TRANSPORT (RFC 8656 §18.8): the IP protocol number (17 = UDP).</summary>
    public bool TryGetRequestedTransport(out byte protocol)
    {
        if (TryGetAttribute(StunAttributeType.RequestedTransport, out var bytes) && bytes.Length == 4)
        {
            protocol = bytes[0];
            return true;
        }

        protocol = 0;
        return false;
    }

    /// <summary>
    /// Reads UNKNOWN-ATTRIBUTES (RFC 8489 §14.9, in a 420 response) into <paramref name="destination"/>; returns how
    /// many types the attribute lists (at most the destination's length are written), or -1 when it is absent.
    /// </summary>
    public int GetUnknownAttributes(Span<ushort> destination)
    {
        if (!TryGetAttribute(StunAttributeType.UnknownAttributes, out var bytes))
        {
            return -1;
        }

        var count = bytes.Length / 2;
        for (var i = 0; i < count && i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(i * 2)..]);
        }

        return count;
    }

    /// <summary>
    /// Writes the comprehension-required attribute types (0x0000-0x7FFF) this stack does not understand into
    /// <paramref name="destination"/> (for a 420 response's UNKNOWN-ATTRIBUTES, RFC 8489 §6.3.1) and returns how
    /// many there are (at most the destination's length are written).
    /// </summary>
    public int GetUnknownComprehensionRequired(Span<ushort> destination)
    {
        var count = 0;
        foreach (var attribute in GetAttributes())
        {
            if (attribute.IsComprehensionRequired && !IsKnown(attribute.RawType))
            {
                if (count < destination.Length)
                {
                    destination[count] = attribute.RawType;
                }

                count++;
            }
        }

        return count;
    }

    /// <summary>True when the message has a comprehension-required attribute this stack does not understand.</summary>
    public bool HasUnknownComprehensionRequired => GetUnknownComprehensionRequired([]) > 0;

    /// <summary>Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with <paramref name="key"/>; false when absent.</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key) =>
        IntegrityOffset >= 0 && StunIntegrity.Verify(Raw, IntegrityOffset, key, sha256: false);

    /// <summary>Checks MESSAGE-INTEGRITY with a cached-state key (faster); false when absent.</summary>
    public bool VerifyMessageIntegrity(StunIntegrityKey key) =>
        IntegrityOffset >= 0 && StunIntegrity.Verify(Raw, IntegrityOffset, key, sha256: false);

    /// <summary>Checks MESSAGE-INTEGRITY-SHA256 with a cached-state key (faster); false when absent.</summary>
    public bool VerifyMessageIntegritySha256(StunIntegrityKey key) =>
        IntegritySha256Offset >= 0 && StunIntegrity.Verify(Raw, IntegritySha256Offset, key, sha256: true);

    /// <summary>Checks MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6) with <paramref name="key"/>; false when absent.</summary>
    public bool VerifyMessageIntegritySha256(ReadOnlySpan<byte> key) =>
        IntegritySha256Offset >= 0 && StunIntegrity.Verify(Raw, IntegritySha256Offset, key, sha256: true);

    /// <summary>Checks FINGERPRINT (RFC 8489 §14.7); false when absent or wrong.</summary>
    public bool VerifyFingerprint() =>
        FingerprintOffset >= 0 && StunIntegrity.VerifyFingerprint(Raw, FingerprintOffset);

    /// <summary>True for the attribute types this stack understands.</summary>
    internal static bool IsKnown(ushort type) => (StunAttributeType)type switch
    {
        StunAttributeType.MappedAddress or StunAttributeType.Username or StunAttributeType.MessageIntegrity
            or StunAttributeType.ErrorCode or StunAttributeType.UnknownAttributes or StunAttributeType.ChannelNumber
            or StunAttributeType.Lifetime or StunAttributeType.XorPeerAddress or StunAttributeType.Data
            or StunAttributeType.Realm or StunAttributeType.Nonce or StunAttributeType.XorRelayedAddress
            or StunAttributeType.RequestedAddressFamily or StunAttributeType.EvenPort
            or StunAttributeType.RequestedTransport or StunAttributeType.DontFragment
            or StunAttributeType.MessageIntegritySha256 or StunAttributeType.PasswordAlgorithm
            or StunAttributeType.UserHash or StunAttributeType.XorMappedAddress
            or StunAttributeType.ReservationToken or StunAttributeType.Priority
            or StunAttributeType.UseCandidate or StunAttributeType.PasswordAlgorithms
            or StunAttributeType.AlternateDomain or StunAttributeType.Software
            or StunAttributeType.AlternateServer or StunAttributeType.Fingerprint
            or StunAttributeType.IceControlled or StunAttributeType.IceControlling => true,
        _ => false,
    };
}
