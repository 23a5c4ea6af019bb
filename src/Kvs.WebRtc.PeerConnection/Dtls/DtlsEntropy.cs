using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// Where a <see cref="DtlsConnection"/> takes everything that differs between two runs of the same handshake: the
/// hello randoms and the cookie secret, its ephemeral ECDH keys, and its ECDSA signatures (whose nonce is random).
/// Production uses <see cref="System"/> (the OS CSPRNG and fresh keys). The seam exists so the fuzz harnesses can make
/// a connection fully deterministic and replay recorded flights past the checks bound to secrets (docs/fuzzing.md);
/// it is internal and reachable only through the internal <see cref="DtlsOptions.Entropy"/>.
/// </summary>
internal abstract class DtlsEntropy
{
    /// <summary>The OS CSPRNG, fresh ECDH keys and randomized ECDSA signatures.</summary>
    public static DtlsEntropy System { get; } = new SystemEntropy();

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public abstract void Fill(Span<byte> destination);

    /// <summary>A new ECDH key pair on <paramref name="curve"/>; the caller disposes it.</summary>
    public abstract ECDiffieHellman CreateKeyAgreement(ECCurve curve);

    /// <summary>The DER-encoded (RFC 3279) ECDSA signature of SHA-256(<paramref name="data"/>) with <paramref name="key"/>.</summary>
    public abstract byte[] Sign(ECDsa key, ReadOnlySpan<byte> data);

    private sealed class SystemEntropy : DtlsEntropy
    {
        public override void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

        public override ECDiffieHellman CreateKeyAgreement(ECCurve curve) => ECDiffieHellman.Create(curve);

        public override byte[] Sign(ECDsa key, ReadOnlySpan<byte> data) =>
            key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
