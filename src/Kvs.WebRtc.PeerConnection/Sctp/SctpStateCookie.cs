using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>
/// The State Cookie we put in INIT-ACK (RFC 9260 §5.1.3): the peer's INIT parameters and our tag, a creation
/// time, and an HMAC-SHA256 under a per-association secret so a COOKIE-ECHO cannot be forged or altered.
/// </summary>
internal readonly record struct SctpStateCookie(
    uint LocalTag,
    uint PeerTag,
    uint PeerInitialTsn,
    uint PeerReceiverWindow,
    ushort PeerOutboundStreams,
    ushort PeerInboundStreams,
    bool PeerSupportsForwardTsn,
    bool PeerSupportsReconfig,
    long CreatedTicks)
{
    private const uint Magic = 0x4B565343; // "KVSC"
    private const int BodyLength = 36;
    public const int Length = BodyLength + 32;

    public void Write(Span<byte> destination, ReadOnlySpan<byte> key)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], LocalTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], PeerTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], PeerInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], PeerReceiverWindow);
        BinaryPrimitives.WriteUInt16BigEndian(destination[20..], PeerOutboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(destination[22..], PeerInboundStreams);
        destination[24] = (byte)((PeerSupportsForwardTsn ? 1 : 0) | (PeerSupportsReconfig ? 2 : 0));
        destination[25] = destination[26] = destination[27] = 0;
        BinaryPrimitives.WriteInt64BigEndian(destination[28..], CreatedTicks);
        HMACSHA256.HashData(key, destination[..BodyLength], destination[BodyLength..Length]);
    }

    /// <summary>Checks length, magic and MAC (constant time) and reads the fields.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, ReadOnlySpan<byte> key, out SctpStateCookie cookie)
    {
        cookie = default;
        if (source.Length != Length || BinaryPrimitives.ReadUInt32BigEndian(source) != Magic)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, source[..BodyLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, source[BodyLength..Length]))
        {
            return false;
        }

        cookie = new SctpStateCookie(
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[20..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[22..]),
            (source[24] & 1) != 0,
            (source[24] & 2) != 0,
            BinaryPrimitives.ReadInt64BigEndian(source[28..]));
        return true;
    }
}
