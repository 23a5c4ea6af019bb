using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// This side's ephemeral ECDH key on one named group (RFC 8422 §5.4, §5.10): its encoded public point and the raw
/// shared secret with a peer's point. P-256 and P-384 are supported.
/// </summary>
internal sealed class DtlsKeyShare : IDisposable
{
    private readonly ECDiffieHellman _key;
    private readonly ECCurve _curve;

    private DtlsKeyShare(ushort group, ECCurve curve, DtlsEntropy entropy)
    {
        Group = group;
        _curve = curve;
        _key = entropy.CreateKeyAgreement(curve);
    }

    /// <summary>The named group (see <see cref="DtlsNamedGroup"/>).</summary>
    public ushort Group { get; }

    /// <summary>Whether <paramref name="group"/> is one this implementation can create a key share on.</summary>
    public static bool IsSupported(ushort group) => group is DtlsNamedGroup.Secp256r1 or DtlsNamedGroup.Secp384r1;

    /// <summary>Creates a fresh key share from <paramref name="entropy"/>; false when the group is not supported.</summary>
    public static bool TryCreate(ushort group, DtlsEntropy entropy, out DtlsKeyShare? share)
    {
        share = group switch
        {
            DtlsNamedGroup.Secp256r1 => new DtlsKeyShare(group, ECCurve.NamedCurves.nistP256, entropy),
            DtlsNamedGroup.Secp384r1 => new DtlsKeyShare(group, ECCurve.NamedCurves.nistP384, entropy),
            _ => null,
        };
        return share is not null;
    }

    /// <summary>The public key as an uncompressed point (0x04 || X || Y).</summary>
    public byte[] EncodePublicPoint()
    {
        var parameters = _key.ExportParameters(false);
        var x = parameters.Q.X!;
        var y = parameters.Q.Y!;
        var point = new byte[1 + x.Length + y.Length];
        point[0] = DtlsCodePoint.UncompressedPoint;
        x.CopyTo(point, 1);
        y.CopyTo(point, 1 + x.Length);
        return point;
    }

    /// <summary>The raw shared secret (the x coordinate, RFC 8422 §5.10), or null when the peer's point is invalid.</summary>
    public byte[]? DeriveSharedSecret(ReadOnlySpan<byte> peerPoint)
    {
        var coordinate = (_key.KeySize + 7) / 8;
        if (peerPoint.Length != 1 + (2 * coordinate) || peerPoint[0] != DtlsCodePoint.UncompressedPoint)
        {
            return null;
        }

        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = _curve,
                Q = new ECPoint { X = peerPoint.Slice(1, coordinate).ToArray(), Y = peerPoint.Slice(1 + coordinate, coordinate).ToArray() },
            });
            return _key.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
