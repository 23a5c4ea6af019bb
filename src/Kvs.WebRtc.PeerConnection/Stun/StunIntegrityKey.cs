using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>
/// A MESSAGE-INTEGRITY key that keeps its HMAC state between messages: about 2.5 times faster than the one-shot
/// <c>byte</c>-span overloads, and the message prefix is hashed in place instead of copied. Thread-safe (a
/// concurrent caller falls back to a fresh HMAC). Dispose to zero the key.
/// </summary>
/// <remarks>RFC 8489 §9.1.1 (short-term), §9.2.2 (long-term). <see cref="ToString"/> never shows the key.</remarks>
internal sealed class StunIntegrityKey : IDisposable
{
    private readonly byte[] _key;
    private IncrementalHash? _sha1;
    private IncrementalHash? _sha256;
    private volatile bool _disposed;

    /// <summary>Wraps a copy of <paramref name="key"/>.</summary>
    public StunIntegrityKey(ReadOnlySpan<byte> key) => _key = key.ToArray();

    /// <summary>The key bytes (for the one-shot overloads).</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>The short-term key of an ICE password (RFC 8489 §9.1.1).</summary>
    public static StunIntegrityKey FromShortTermPassword(string password)
    {
        var bytes = StunIntegrity.ShortTermKey(password);
        try
        {
            return new StunIntegrityKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The long-term key MD5(username:realm:password) (RFC 8489 §9.2.2).</summary>
    public static StunIntegrityKey FromLongTermCredentials(string username, string realm, string password)
    {
        var bytes = StunIntegrity.LongTermKey(username, realm, password);
        try
        {
            return new StunIntegrityKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// The HMAC for an integrity attribute at <paramref name="attributeOffset"/>, with the header length patched to
    /// end right after that attribute (RFC 8489 §14.5/§14.6). <paramref name="destination"/> gets 20 or 32 bytes.
    /// </summary>
    public void ComputeHmac(ReadOnlySpan<byte> message, int attributeOffset, int valueLength, bool sha256, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ref var slot = ref sha256 ? ref _sha256 : ref _sha1;
        var hash = Interlocked.Exchange(ref slot, null)
            ?? IncrementalHash.CreateHMAC(sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1, _key);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)(attributeOffset - StunMessage.HeaderSize + 4 + valueLength));
        hash.AppendData(message[..2]);
        hash.AppendData(length);
        hash.AppendData(message[4..attributeOffset]);
        hash.TryGetHashAndReset(destination, out _);
        if (_disposed || Interlocked.CompareExchange(ref slot, hash, null) is not null)
        {
            hash.Dispose();
        }
    }

    /// <summary>Zeroes the key and releases the HMAC state.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        Interlocked.Exchange(ref _sha1, null)?.Dispose();
        Interlocked.Exchange(ref _sha256, null)?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => "StunIntegrityKey(***)";
}
