using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// One negotiated <see cref="DtlsCipherSuite"/> as an object (RFC 5289 §3, RFC 7905 §2): its PRF hash, key and IV
/// sizes, and the derivations that depend on them: extended master secret (RFC 7627 §4), key block and record
/// protection of both directions (RFC 5246 §6.3), Finished verify_data (RFC 5246 §7.4.9) and the exporter (RFC 5705).
/// </summary>
internal sealed class DtlsCipherSuiteInfo
{
    private static readonly DtlsCipherSuiteInfo s_aes128Gcm = new(DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256);
    private static readonly DtlsCipherSuiteInfo s_aes256Gcm = new(DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384);
    private static readonly DtlsCipherSuiteInfo s_chacha20 = new(DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256);

    private DtlsCipherSuiteInfo(DtlsCipherSuite suite)
    {
        Suite = suite;
        PrfHash = suite == DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        KeyLength = suite == DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 ? 16 : 32;
        FixedIvLength = suite == DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 ? 12 : 4;
    }

    /// <summary>The suite.</summary>
    public DtlsCipherSuite Suite { get; }

    /// <summary>Hash of the TLS 1.2 PRF and of the handshake transcript.</summary>
    public HashAlgorithmName PrfHash { get; }

    /// <summary>Write key length in bytes.</summary>
    public int KeyLength { get; }

    /// <summary>Implicit (fixed) IV length: 4-byte salt for GCM (RFC 5288 §3), 12 bytes for ChaCha20 (RFC 7905 §2).</summary>
    public int FixedIvLength { get; }

    /// <summary>True when the suite is known and its AEAD exists on this platform.</summary>
    public static bool IsSupported(DtlsCipherSuite suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 or DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => AesGcm.IsSupported,
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => ChaCha20Poly1305.IsSupported,
        _ => false,
    };

    /// <summary>The object of a known suite.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="suite"/> is not one of <see cref="DtlsCipherSuite"/>'s values.</exception>
    public static DtlsCipherSuiteInfo For(DtlsCipherSuite suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 => s_aes128Gcm,
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => s_aes256Gcm,
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => s_chacha20,
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "Unknown DTLS cipher suite."),
    };

    /// <summary>Hash of <paramref name="data"/> with the PRF hash (the session hash or the Finished input).</summary>
    public byte[] Hash(ReadOnlySpan<byte> data) => DtlsPrf.Hash(PrfHash, data);

    /// <summary>master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47] (RFC 7627 §4).</summary>
    /// <param name="preMasterSecret">The ECDH shared secret.</param>
    /// <param name="transcript">The handshake messages up to and including ClientKeyExchange.</param>
    public byte[] ComputeExtendedMasterSecret(ReadOnlySpan<byte> preMasterSecret, ReadOnlySpan<byte> transcript)
    {
        var master = new byte[48];
        DtlsPrf.Compute(PrfHash, preMasterSecret, "extended master secret", Hash(transcript), master);
        return master;
    }

    /// <summary>Expands the key block (RFC 5246 §6.3) into the record protection of each direction.</summary>
    /// <returns>The client-write and server-write protections; the caller owns both.</returns>
    public (DtlsRecordProtection ClientWrite, DtlsRecordProtection ServerWrite) CreateRecordProtection(
        ReadOnlySpan<byte> masterSecret, ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom)
    {
        var keyBlock = new byte[2 * (KeyLength + FixedIvLength)];
        Span<byte> seed = stackalloc byte[2 * DtlsCodePoint.RandomLength];
        serverRandom.CopyTo(seed);
        clientRandom.CopyTo(seed[DtlsCodePoint.RandomLength..]);
        DtlsPrf.Compute(PrfHash, masterSecret, "key expansion", seed, keyBlock);
        var span = keyBlock.AsSpan();
        var clientKey = span[..KeyLength];
        var serverKey = span.Slice(KeyLength, KeyLength);
        var clientIv = span.Slice(2 * KeyLength, FixedIvLength);
        var serverIv = span.Slice((2 * KeyLength) + FixedIvLength, FixedIvLength);
        var client = new DtlsRecordProtection(Suite, clientKey, clientIv);
        var server = new DtlsRecordProtection(Suite, serverKey, serverIv);
        CryptographicOperations.ZeroMemory(keyBlock);
        return (client, server);
    }

    /// <summary>verify_data = PRF(master_secret, label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9).</summary>
    public void ComputeVerifyData(ReadOnlySpan<byte> masterSecret, string label, ReadOnlySpan<byte> transcript, Span<byte> destination) =>
        DtlsPrf.Compute(PrfHash, masterSecret, label, Hash(transcript), destination);

    /// <summary>Keying material exporter without context (RFC 5705 §4): PRF(master_secret, label, client_random + server_random).</summary>
    public void ExportKeyingMaterial(ReadOnlySpan<byte> masterSecret, string label, ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom, Span<byte> destination)
    {
        Span<byte> seed = stackalloc byte[2 * DtlsCodePoint.RandomLength];
        clientRandom.CopyTo(seed);
        serverRandom.CopyTo(seed[DtlsCodePoint.RandomLength..]);
        DtlsPrf.Compute(PrfHash, masterSecret, label, seed, destination);
    }

    /// <inheritdoc />
    public override string ToString() => Suite.ToString();
}
