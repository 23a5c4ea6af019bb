using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>ECDSA signing and verification by SignatureScheme (RFC 8422 §5.1.3), DER-encoded as TLS carries them.</summary>
internal static class DtlsSignatures
{
    /// <summary>The scheme this side signs with (its certificate is P-256).</summary>
    public const ushort LocalScheme = DtlsSignatureScheme.EcdsaSecp256r1Sha256;

    /// <summary>The hash of a scheme this implementation verifies, or null when the scheme is not supported.</summary>
    public static HashAlgorithmName? HashOf(ushort scheme) => scheme switch
    {
        DtlsSignatureScheme.EcdsaSecp256r1Sha256 => HashAlgorithmName.SHA256,
        DtlsSignatureScheme.EcdsaSecp384r1Sha384 => HashAlgorithmName.SHA384,
        DtlsSignatureScheme.EcdsaSecp521r1Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>Whether <paramref name="signature"/> is <paramref name="key"/>'s signature of <paramref name="data"/> under <paramref name="scheme"/>.</summary>
    public static bool Verify(ECDsa? key, ushort scheme, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (HashOf(scheme) is not { } hash || key is null)
        {
            return false;
        }

        try
        {
            return key.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
