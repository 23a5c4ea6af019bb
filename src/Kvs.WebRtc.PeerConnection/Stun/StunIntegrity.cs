using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT computation and checks, and credential keys.</summary>
/// <remarks>RFC 8489 §9.1.1 (short-term key), §9.2.2 (long-term key), §14.5, §14.6, §14.7.</remarks>
internal static class StunIntegrity
{
    /// <summary>Length of the MESSAGE-INTEGRITY value (HMAC-SHA1).</summary>
    public const int Sha1Length = 20;

    /// <summary>Length of a full MESSAGE-INTEGRITY-SHA256 value.</summary>
    public const int Sha256Length = 32;

    /// <summary>The value XORed into the CRC-32 for FINGERPRINT.</summary>
    public const uint FingerprintXor = 0x5354554E;

    // Messages up to this size are copied on the stack to patch the length field; larger ones use the pool.
    private const int StackCopyLimit = 1024;

    /// <summary>The short-term credential key: the password's UTF-8 bytes (ICE uses the remote/local ice-pwd).</summary>
    /// <remarks>RFC 8489 §9.1.1 (OpaqueString applied to ASCII ice-pwd values is the identity).</remarks>
    public static byte[] ShortTermKey(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Encoding.UTF8.GetBytes(password);
    }

    /// <summary>The long-term credential key MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).</summary>
    /// <remarks>The strings are used as given (no SASLprep/OpaqueString rewriting): TURN credentials are ASCII in practice.</remarks>
    public static byte[] LongTermKey(string username, string realm, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);
        var input = Encoding.UTF8.GetBytes(username + ":" + realm + ":" + password);
        try
        {
#pragma warning disable CA5351 // RFC 8489 §9.2.2 mandates MD5 for the long-term key; not used for anything else.
            return MD5.HashData(input);
#pragma warning restore CA5351
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>
    /// Computes the HMAC for an integrity attribute at <paramref name="attributeOffset"/> over the message prefix, with
    /// the header length patched to end right after that attribute (RFC 8489 §14.5/§14.6).
    /// </summary>
    /// <param name="message">The message bytes (at least up to <paramref name="attributeOffset"/>).</param>
    /// <param name="attributeOffset">Offset of the integrity attribute's header.</param>
    /// <param name="valueLength">The attribute's value length (20 for SHA-1; 16..32 for SHA-256).</param>
    /// <param name="key">The key.</param>
    /// <param name="sha256">SHA-256 instead of SHA-1.</param>
    /// <param name="destination">Receives the full HMAC (20 or 32 bytes).</param>
    public static void ComputeHmac(ReadOnlySpan<byte> message, int attributeOffset, int valueLength, ReadOnlySpan<byte> key, bool sha256, Span<byte> destination)
    {
        byte[]? rented = null;
        // Sized to the prefix (at most StackCopyLimit) so small messages zero only what they use.
        var copy = attributeOffset <= StackCopyLimit
            ? stackalloc byte[attributeOffset]
            : (rented = ArrayPool<byte>.Shared.Rent(attributeOffset)).AsSpan(0, attributeOffset);
        try
        {
            message[..attributeOffset].CopyTo(copy);
            BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)(attributeOffset - StunMessage.HeaderSize + 4 + valueLength));
            if (sha256)
            {
                HMACSHA256.HashData(key, copy, destination);
            }
            else
            {
#pragma warning disable CA5350 // RFC 8489 §14.5 mandates HMAC-SHA1 for MESSAGE-INTEGRITY.
                HMACSHA1.HashData(key, copy, destination);
#pragma warning restore CA5350
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Checks an integrity attribute whose header is at <paramref name="attributeOffset"/>, in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> message, int attributeOffset, ReadOnlySpan<byte> key, bool sha256) =>
        Verify(message, attributeOffset, key, null, sha256);

    /// <summary>As <see cref="Verify(ReadOnlySpan{byte}, int, ReadOnlySpan{byte}, bool)"/>, with a cached-state key.</summary>
    public static bool Verify(ReadOnlySpan<byte> message, int attributeOffset, StunIntegrityKey key, bool sha256)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Verify(message, attributeOffset, default, key, sha256);
    }

    private static bool Verify(ReadOnlySpan<byte> message, int attributeOffset, ReadOnlySpan<byte> keyBytes, StunIntegrityKey? key, bool sha256)
    {
        if (attributeOffset < StunMessage.HeaderSize || attributeOffset + 4 > message.Length)
        {
            return false;
        }

        int valueLength = BinaryPrimitives.ReadUInt16BigEndian(message[(attributeOffset + 2)..]);
        var maxLength = sha256 ? Sha256Length : Sha1Length;
        if (valueLength > maxLength || valueLength == 0 || attributeOffset + 4 + valueLength > message.Length)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[Sha256Length];
        if (key is not null)
        {
            key.ComputeHmac(message, attributeOffset, valueLength, sha256, mac);
        }
        else
        {
            ComputeHmac(message, attributeOffset, valueLength, keyBytes, sha256, mac);
        }

        return CryptographicOperations.FixedTimeEquals(mac[..valueLength], message.Slice(attributeOffset + 4, valueLength));
    }

    /// <summary>The FINGERPRINT value for a message whose FINGERPRINT attribute header is at <paramref name="attributeOffset"/>.</summary>
    /// <remarks>The header length must already count the FINGERPRINT attribute (it is always last).</remarks>
    public static uint ComputeFingerprint(ReadOnlySpan<byte> message, int attributeOffset) =>
        Crc32.Compute(message[..attributeOffset]) ^ FingerprintXor;

    /// <summary>Checks FINGERPRINT at <paramref name="attributeOffset"/> (the last attribute).</summary>
    public static bool VerifyFingerprint(ReadOnlySpan<byte> message, int attributeOffset)
    {
        if (attributeOffset < StunMessage.HeaderSize || attributeOffset + 8 != message.Length)
        {
            return false;
        }

        // The length field must cover the FINGERPRINT attribute: with FINGERPRINT last, that is the whole message.
        if (BinaryPrimitives.ReadUInt16BigEndian(message[2..]) != message.Length - StunMessage.HeaderSize)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(message[(attributeOffset + 4)..]) == ComputeFingerprint(message, attributeOffset);
    }
}
