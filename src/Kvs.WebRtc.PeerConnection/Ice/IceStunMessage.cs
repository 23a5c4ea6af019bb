using System.Buffers.Binary;
using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The ICE view of a STUN message (Binding requests, responses, indications): a thin adapter over the shared
/// <see cref="StunMessage"/> codec that reads, in one pass, exactly the attributes RFC 8445 §7 and RFC 7675 use.
/// </summary>
/// <remarks>
/// USERNAME, PRIORITY, ICE-CONTROLLING, ICE-CONTROLLED, USE-CANDIDATE (RFC 8445 §16.1), XOR-MAPPED-ADDRESS,
/// ERROR-CODE, MESSAGE-INTEGRITY, FINGERPRINT (RFC 8489 §14). An ICE attribute of the wrong size makes the message
/// malformed. Never throws and never reads past the input.
/// </remarks>
internal readonly ref struct IceStunMessage
{
    /// <summary>Largest STUN message ICE accepts (a check is ~100 bytes; anything near the MTU is not ICE).</summary>
    public const int MaxLength = 1500;

    private readonly StunMessage _message;

    private IceStunMessage(StunMessage message) => _message = message;

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Bytes => _message.Raw;

    /// <summary>Message type on the wire (method and class bits).</summary>
    public ushort Type => _message.Type.ToWire();

    /// <summary>The transaction id.</summary>
    public TransactionId TransactionId => _message.TransactionId;

    /// <summary>USERNAME value bytes (UTF-8), empty when absent.</summary>
    public ReadOnlySpan<byte> Username => UsernameLength < 0 ? default : Bytes.Slice(UsernameOffset, UsernameLength);

    /// <summary>True when USERNAME is present.</summary>
    public bool HasUsername => UsernameLength >= 0;

    /// <summary>PRIORITY, when present.</summary>
    public uint? Priority { get; private init; }

    /// <summary>ICE-CONTROLLING tie-breaker, when present.</summary>
    public ulong? IceControlling { get; private init; }

    /// <summary>ICE-CONTROLLED tie-breaker, when present.</summary>
    public ulong? IceControlled { get; private init; }

    /// <summary>USE-CANDIDATE present.</summary>
    public bool UseCandidate { get; private init; }

    /// <summary>ERROR-CODE as class*100+number, when present.</summary>
    public int? ErrorCode { get; private init; }

    /// <summary>True when MESSAGE-INTEGRITY is present.</summary>
    public bool HasMessageIntegrity => _message.HasMessageIntegrity;

    /// <summary>True when FINGERPRINT is present (and last).</summary>
    public bool HasFingerprint => _message.HasFingerprint;

    /// <summary>True for class request.</summary>
    public bool IsRequest => _message.Class == StunClass.Request;

    /// <summary>True for class indication.</summary>
    public bool IsIndication => _message.Class == StunClass.Indication;

    /// <summary>True for class success response.</summary>
    public bool IsSuccessResponse => _message.Class == StunClass.SuccessResponse;

    /// <summary>True for class error response.</summary>
    public bool IsErrorResponse => _message.Class == StunClass.ErrorResponse;

    /// <summary>True when the method is Binding.</summary>
    public bool IsBinding => _message.Method == StunMethod.Binding;

    private int UsernameOffset { get; init; }

    private int UsernameLength { get; init; }

    /// <summary>Parses the message and its ICE attributes. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out IceStunMessage message)
    {
        message = default;
        if (bytes.Length > MaxLength || !StunMessage.TryParse(bytes, out var stun, out _))
        {
            return false;
        }

        uint? priority = null;
        ulong? controlling = null, controlled = null;
        int? error = null;
        bool useCandidate = false;
        int usernameOffset = 0, usernameLength = -1;
        foreach (var attribute in stun.GetAttributes())
        {
            var value = attribute.Value;
            switch (attribute.Type)
            {
                case StunAttributeType.Username when usernameLength < 0:
                    if (value.Length > 513)
                    {
                        return false;
                    }

                    usernameOffset = attribute.Offset + 4;
                    usernameLength = value.Length;
                    break;
                case StunAttributeType.Priority when priority is null:
                    if (value.Length != 4)
                    {
                        return false;
                    }

                    priority = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case StunAttributeType.IceControlled when controlled is null:
                    if (value.Length != 8)
                    {
                        return false;
                    }

                    controlled = BinaryPrimitives.ReadUInt64BigEndian(value);
                    break;
                case StunAttributeType.IceControlling when controlling is null:
                    if (value.Length != 8)
                    {
                        return false;
                    }

                    controlling = BinaryPrimitives.ReadUInt64BigEndian(value);
                    break;
                case StunAttributeType.UseCandidate:
                    if (!value.IsEmpty)
                    {
                        return false;
                    }

                    useCandidate = true;
                    break;
                case StunAttributeType.ErrorCode when error is null:
                    if (value.Length < 4)
                    {
                        return false;
                    }

                    error = ((value[2] & 0x7) * 100) + value[3];
                    break;
                default:
                    break; // others (SOFTWARE, XOR-MAPPED-ADDRESS read on demand, unknown optional ones) are skipped
            }
        }

        message = new IceStunMessage(stun)
        {
            Priority = priority,
            IceControlling = controlling,
            IceControlled = controlled,
            UseCandidate = useCandidate,
            ErrorCode = error,
            UsernameOffset = usernameOffset,
            UsernameLength = usernameLength,
        };
        return true;
    }

    /// <summary>Decodes XOR-MAPPED-ADDRESS (RFC 8489 §14.2), or null when absent or malformed.</summary>
    public IPEndPoint? GetXorMappedAddress() =>
        _message.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var address) ? address : null;

    /// <summary>Checks FINGERPRINT (RFC 8489 §14.7); false when absent or wrong.</summary>
    public bool VerifyFingerprint() => _message.VerifyFingerprint();

    /// <summary>Checks MESSAGE-INTEGRITY (HMAC-SHA1) keyed with the short-term password's UTF-8 bytes; constant time.</summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key) => _message.VerifyMessageIntegrity(key);
}
