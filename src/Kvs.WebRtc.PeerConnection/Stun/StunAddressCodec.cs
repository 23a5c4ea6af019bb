using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>Reads and writes (XOR-)address attribute values.</summary>
/// <remarks>
/// RFC 8489 §14.1 (MAPPED-ADDRESS: 0, family, port, address) and §14.2 (XOR-MAPPED-ADDRESS: port XOR the cookie's
/// high 16 bits; IPv4 address XOR the cookie; IPv6 address XOR cookie || transaction id).
/// </remarks>
internal static class StunAddressCodec
{
    private const byte FamilyIPv4 = 0x01;
    private const byte FamilyIPv6 = 0x02;

    /// <summary>The value length for <paramref name="address"/> (8 for IPv4, 20 for IPv6).</summary>
    public static int GetValueLength(IPEndPoint address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? 20 : 8;

    /// <summary>Decodes a value; false when the family or length is wrong. Never reads past <paramref name="value"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, bool xor, out IPEndPoint address)
    {
        address = null!;
        if (value.Length < 4)
        {
            return false;
        }

        var family = value[1];
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        if (xor)
        {
            port ^= (int)(StunMessage.MagicCookie >> 16);
        }

        int addressLength;
        if (family == FamilyIPv4 && value.Length == 8)
        {
            addressLength = 4;
        }
        else if (family == FamilyIPv6 && value.Length == 20 && transactionId.Length == TransactionId.Size)
        {
            addressLength = 16;
        }
        else
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes = bytes[..addressLength];
        value.Slice(4, addressLength).CopyTo(bytes);
        if (xor)
        {
            ApplyXor(bytes, transactionId);
        }

        address = new IPEndPoint(new IPAddress(bytes), port);
        return true;
    }

    /// <summary>Encodes <paramref name="address"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(IPEndPoint address, ReadOnlySpan<byte> transactionId, bool xor, Span<byte> destination)
    {
        var length = GetValueLength(address);
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too small for the address.", nameof(destination));
        }

        destination[0] = 0;
        destination[1] = length == 8 ? FamilyIPv4 : FamilyIPv6;
        var port = (ushort)address.Port;
        if (xor)
        {
            port ^= (ushort)(StunMessage.MagicCookie >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], port);
        var bytes = destination.Slice(4, length - 4);
        if (!address.Address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException("Address could not be written.", nameof(address));
        }

        if (xor)
        {
            ApplyXor(bytes, transactionId);
        }

        return length;
    }

    private static void ApplyXor(Span<byte> addressBytes, ReadOnlySpan<byte> transactionId)
    {
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        if (addressBytes.Length == 16)
        {
            transactionId[..TransactionId.Size].CopyTo(mask[4..]);
        }

        for (var i = 0; i < addressBytes.Length; i++)
        {
            addressBytes[i] ^= mask[i];
        }
    }
}
