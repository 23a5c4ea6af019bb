using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>The TLS 1.2 PRF, P_hash(secret, label + seed) (RFC 5246 §5), with SHA-256 or SHA-384.</summary>
internal static class DtlsPrf
{
    /// <summary>Fills <paramref name="destination"/> with PRF(secret, label, seed).</summary>
    public static void Compute(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, Span<byte> destination)
    {
        var labelLength = Encoding.ASCII.GetByteCount(label);
        var labelSeed = new byte[labelLength + seed.Length];
        Encoding.ASCII.GetBytes(label, labelSeed);
        seed.CopyTo(labelSeed.AsSpan(labelLength));

        var hashLength = hash == HashAlgorithmName.SHA384 ? 48 : 32;
        using var hmac = IncrementalHash.CreateHMAC(hash, secret);
        Span<byte> a = stackalloc byte[hashLength];
        Span<byte> block = stackalloc byte[hashLength];

        // A(1) = HMAC(secret, label + seed)
        hmac.AppendData(labelSeed);
        hmac.GetHashAndReset(a);
        var written = 0;
        while (written < destination.Length)
        {
            hmac.AppendData(a);
            hmac.AppendData(labelSeed);
            hmac.GetHashAndReset(block);
            var take = Math.Min(hashLength, destination.Length - written);
            block[..take].CopyTo(destination[written..]);
            written += take;

            hmac.AppendData(a);
            hmac.GetHashAndReset(a);
        }

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(a);
    }

    /// <summary>Hash of <paramref name="data"/> with the suite's PRF hash.</summary>
    public static byte[] Hash(HashAlgorithmName hash, ReadOnlySpan<byte> data) =>
        hash == HashAlgorithmName.SHA384 ? SHA384.HashData(data) : SHA256.HashData(data);
}
