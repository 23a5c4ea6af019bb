using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// AEAD protection of the records of one direction and epoch: AES-GCM with an explicit 8-byte nonce (RFC 5288 §3,
/// RFC 6347 §4.1.2.1) or ChaCha20-Poly1305 with the sequence number XORed into the IV (RFC 7905 §2). The cipher
/// object is created once; seal and open write into caller buffers and allocate nothing.
/// </summary>
internal sealed class DtlsRecordProtection : IDisposable
{
    private const int TagLength = 16;
    private const int ExplicitNonceLength = 8;

    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly byte[] _fixedIv;

    public DtlsRecordProtection(DtlsCipherSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> fixedIv)
    {
        _fixedIv = fixedIv.ToArray();
        if (suite == DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256)
        {
            _chacha = new ChaCha20Poly1305(key);
        }
        else
        {
            _gcm = new AesGcm(key, TagLength);
        }
    }

    /// <summary>Bytes a record payload grows by when sealed.</summary>
    public int Overhead => _gcm is null ? TagLength : ExplicitNonceLength + TagLength;

    /// <summary>
    /// Seals <paramref name="plaintext"/> as the payload of a record with the given header fields, writing
    /// <see cref="Overhead"/> + plaintext length bytes to <paramref name="destination"/>. Returns the bytes written.
    /// </summary>
    public int Seal(byte contentType, ushort epoch, ulong sequence, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, contentType, epoch, sequence, plaintext.Length);
        if (_gcm is not null)
        {
            _fixedIv.CopyTo(nonce);
            aad[..8].CopyTo(nonce[4..]);
            aad[..8].CopyTo(destination);
            _gcm.Encrypt(nonce, plaintext, destination.Slice(ExplicitNonceLength, plaintext.Length), destination.Slice(ExplicitNonceLength + plaintext.Length, TagLength), aad);
            return ExplicitNonceLength + plaintext.Length + TagLength;
        }

        ChaChaNonce(nonce, aad[..8]);
        _chacha!.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagLength), aad);
        return plaintext.Length + TagLength;
    }

    /// <summary>Opens a record payload into <paramref name="destination"/>; false when it is too short or fails authentication.</summary>
    public bool TryOpen(byte contentType, ushort epoch, ulong sequence, ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        var plaintextLength = payload.Length - Overhead;
        if (plaintextLength < 0 || destination.Length < plaintextLength)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[13];
        WriteAdditionalData(aad, contentType, epoch, sequence, plaintextLength);
        try
        {
            if (_gcm is not null)
            {
                _fixedIv.CopyTo(nonce);
                payload[..ExplicitNonceLength].CopyTo(nonce[4..]);
                _gcm.Decrypt(nonce, payload.Slice(ExplicitNonceLength, plaintextLength), payload[(ExplicitNonceLength + plaintextLength)..], destination[..plaintextLength], aad);
            }
            else
            {
                ChaChaNonce(nonce, aad[..8]);
                _chacha!.Decrypt(nonce, payload[..plaintextLength], payload[plaintextLength..], destination[..plaintextLength], aad);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        written = plaintextLength;
        return true;
    }

    public void Dispose()
    {
        _gcm?.Dispose();
        _chacha?.Dispose();
        CryptographicOperations.ZeroMemory(_fixedIv);
    }

    /// <summary>additional_data = seq_num(epoch + sequence) + type + version + length (RFC 5246 §6.2.3.3, RFC 6347 §4.1.2.1).</summary>
    private static void WriteAdditionalData(Span<byte> aad, byte contentType, ushort epoch, ulong sequence, int length)
    {
        BinaryPrimitives.WriteUInt64BigEndian(aad, ((ulong)epoch << 48) | (sequence & 0xFFFF_FFFF_FFFF));
        aad[8] = contentType;
        BinaryPrimitives.WriteUInt16BigEndian(aad[9..], DtlsVersion.Dtls12);
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)length);
    }

    private void ChaChaNonce(Span<byte> nonce, ReadOnlySpan<byte> sequence)
    {
        _fixedIv.CopyTo(nonce);
        for (var i = 0; i < 8; i++)
        {
            nonce[4 + i] ^= sequence[i];
        }
    }
}
