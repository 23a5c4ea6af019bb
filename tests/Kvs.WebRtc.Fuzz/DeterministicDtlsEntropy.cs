using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Fuzz;

/// <summary>
/// A <see cref="DtlsEntropy"/> that makes a <see cref="DtlsConnection"/> repeat itself exactly: randoms are a SHA-256
/// counter stream of a label, ECDH keys are derived from that stream, and ECDSA signatures use a nonce derived from
/// the key and the message (HMAC, in the spirit of RFC 6979), computed here with plain big-integer arithmetic since
/// the platform signer always draws a random nonce. Two connections built with the same labels and certificates
/// produce the same bytes, so flights recorded from one replay into the other past Finished and record decryption.
/// Test code only: the keys it makes are not secret.
/// </summary>
internal sealed class DeterministicDtlsEntropy : DtlsEntropy
{
    private static readonly ConcurrentDictionary<string, byte[]> s_signatures = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ECParameters> s_keys = new(StringComparer.Ordinal);
    private readonly byte[] _seed;
    private ulong _counter;

    public DeterministicDtlsEntropy(string label)
    {
        _seed = SHA256.HashData(Encoding.UTF8.GetBytes(label));
    }

    public override void Fill(Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[40];
        Span<byte> block = stackalloc byte[32];
        _seed.CopyTo(input);
        while (!destination.IsEmpty)
        {
            BitConverter.TryWriteBytes(input[32..], _counter++);
            SHA256.HashData(input, block);
            var take = Math.Min(block.Length, destination.Length);
            block[..take].CopyTo(destination);
            destination = destination[take..];
        }
    }

    public override ECDiffieHellman CreateKeyAgreement(ECCurve curve)
    {
        var curveInfo = Curve.For(curve);
        var scalar = new byte[curveInfo.Length];
        Fill(scalar);
        return ECDiffieHellman.Create(KeyFor(curveInfo, scalar));
    }

    public override byte[] Sign(ECDsa key, ReadOnlySpan<byte> data)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        var hash = SHA256.HashData(data);
        var cacheKey = Convert.ToHexString(parameters.D!) + Convert.ToHexString(hash);
        if (s_signatures.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        var curve = Curve.For(key.KeySize == 384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        var signature = curve.Sign(parameters.D!, hash);
        if (s_signatures.Count > 4096)
        {
            s_signatures.Clear();
        }

        s_signatures[cacheKey] = signature;
        return signature;
    }

    /// <summary>A P-256 ECDSA key derived from <paramref name="label"/>.</summary>
    public static ECDsa CreateSigningKey(string label)
    {
        var curve = Curve.For(ECCurve.NamedCurves.nistP256);
        var scalar = new byte[curve.Length];
        new DeterministicDtlsEntropy("key:" + label).Fill(scalar);
        return ECDsa.Create(KeyFor(curve, scalar));
    }

    /// <summary>
    /// A self-signed certificate whose DER is the same in every process: a key derived from <paramref name="label"/>,
    /// fixed validity (2020 to 2120), serial and subject, and a deterministic signature.
    /// </summary>
    public static DtlsCertificate CreateCertificate(string label)
    {
        var key = CreateSigningKey(label);
        var request = new CertificateRequest("CN=WebRTC", key, HashAlgorithmName.SHA256);
        var generator = new Signer(key);
        using var unsigned = request.Create(
            new X500DistinguishedName("CN=WebRTC"),
            generator,
            new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero),
            [1, 2, 3, 4, 5, 6, 7, 8]);
        var withKey = unsigned.CopyWithPrivateKey(key);
        return DtlsCertificate.FromCertificate(withKey);
    }

    private static ECParameters KeyFor(Curve curve, byte[] scalar)
    {
        var cacheKey = curve.Name + Convert.ToHexString(scalar);
        return s_keys.GetOrAdd(cacheKey, _ =>
        {
            var d = (ToInteger(scalar) % (curve.N - 1)) + 1;
            var (x, y) = curve.Multiply(d, curve.G);
            return new ECParameters
            {
                Curve = curve.Named,
                D = ToBytes(d, curve.Length),
                Q = new ECPoint { X = ToBytes(x, curve.Length), Y = ToBytes(y, curve.Length) },
            };
        });
    }

    private static BigInteger ToInteger(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] ToBytes(BigInteger value, int length)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[length];
        raw.CopyTo(result, length - raw.Length);
        return result;
    }

    /// <summary>Signs certificate contents with the deterministic ECDSA of <see cref="Curve"/>.</summary>
    private sealed class Signer(ECDsa key) : X509SignatureGenerator
    {
        private readonly X509SignatureGenerator _inner = CreateForECDsa(key);

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => _inner.GetSignatureAlgorithmIdentifier(hashAlgorithm);

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
        {
            var parameters = key.ExportParameters(includePrivateParameters: true);
            return Curve.For(ECCurve.NamedCurves.nistP256).Sign(parameters.D!, SHA256.HashData(data));
        }

        protected override PublicKey BuildPublicKey() => _inner.PublicKey;
    }

    /// <summary>A NIST prime curve (y² = x³ + ax + b over GF(p)) in Jacobian coordinates.</summary>
    private sealed class Curve
    {
        private static readonly Curve s_p256 = new(ECCurve.NamedCurves.nistP256, "P-256");
        private static readonly Curve s_p384 = new(ECCurve.NamedCurves.nistP384, "P-384");

        private Curve(ECCurve named, string name)
        {
            Named = named;
            Name = name;
            using var probe = ECDsa.Create(named);
            var explicitParameters = probe.ExportExplicitParameters(includePrivateParameters: false).Curve;
            P = ToInteger(explicitParameters.Prime);
            A = ToInteger(explicitParameters.A);
            N = ToInteger(explicitParameters.Order);
            G = (ToInteger(explicitParameters.G.X), ToInteger(explicitParameters.G.Y));
            Length = explicitParameters.Prime!.Length;
        }

        public ECCurve Named { get; }

        public string Name { get; }

        public BigInteger P { get; }

        public BigInteger A { get; }

        public BigInteger N { get; }

        public (BigInteger X, BigInteger Y) G { get; }

        public int Length { get; }

        public static Curve For(ECCurve curve) => curve.Oid.FriendlyName == ECCurve.NamedCurves.nistP384.Oid.FriendlyName ? s_p384 : s_p256;

        /// <summary>DER ECDSA signature of <paramref name="hash"/> with private scalar <paramref name="privateKey"/>.</summary>
        public byte[] Sign(byte[] privateKey, byte[] hash)
        {
            var d = ToInteger(privateKey);
            var e = ToInteger(hash.AsSpan(0, Math.Min(hash.Length, Length)));
            var nonceKey = HMACSHA256.HashData(privateKey, hash);
            for (var attempt = 0; ; attempt++)
            {
                var k = (ToInteger(HMACSHA256.HashData(nonceKey, new[] { (byte)attempt })) % (N - 1)) + 1;
                var r = Multiply(k, G).X % N;
                var s = Mod(ModInverse(k, N) * (e + (r * d)), N);
                if (r.IsZero || s.IsZero)
                {
                    continue;
                }

                var writer = new AsnWriter(AsnEncodingRules.DER);
                using (writer.PushSequence())
                {
                    writer.WriteInteger(r);
                    writer.WriteInteger(s);
                }

                return writer.Encode();
            }
        }

        public (BigInteger X, BigInteger Y) Multiply(BigInteger k, (BigInteger X, BigInteger Y) point)
        {
            (BigInteger X, BigInteger Y, BigInteger Z) result = (0, 1, 0);
            (BigInteger X, BigInteger Y, BigInteger Z) addend = (point.X, point.Y, 1);
            for (var bit = 0; bit < (int)k.GetBitLength(); bit++)
            {
                if (!(k >> bit).IsEven)
                {
                    result = Add(result, addend);
                }

                addend = Double(addend);
            }

            var zInverse = ModInverse(result.Z, P);
            var z2 = Mod(zInverse * zInverse, P);
            return (Mod(result.X * z2, P), Mod(result.Y * z2 * zInverse, P));
        }

        private (BigInteger X, BigInteger Y, BigInteger Z) Double((BigInteger X, BigInteger Y, BigInteger Z) q)
        {
            if (q.Z.IsZero || q.Y.IsZero)
            {
                return (0, 1, 0);
            }

            var y2 = Mod(q.Y * q.Y, P);
            var s = Mod(4 * q.X * y2, P);
            var z2 = Mod(q.Z * q.Z, P);
            var m = Mod((3 * q.X * q.X) + (A * z2 * z2), P);
            var x = Mod((m * m) - (2 * s), P);
            var y = Mod((m * (s - x)) - (8 * y2 * y2), P);
            return (x, y, Mod(2 * q.Y * q.Z, P));
        }

        private (BigInteger X, BigInteger Y, BigInteger Z) Add((BigInteger X, BigInteger Y, BigInteger Z) a, (BigInteger X, BigInteger Y, BigInteger Z) b)
        {
            if (a.Z.IsZero)
            {
                return b;
            }

            if (b.Z.IsZero)
            {
                return a;
            }

            var za2 = Mod(a.Z * a.Z, P);
            var zb2 = Mod(b.Z * b.Z, P);
            var u1 = Mod(a.X * zb2, P);
            var u2 = Mod(b.X * za2, P);
            var s1 = Mod(a.Y * zb2 * b.Z, P);
            var s2 = Mod(b.Y * za2 * a.Z, P);
            if (u1 == u2)
            {
                return s1 == s2 ? Double(a) : (0, 1, 0);
            }

            var h = Mod(u2 - u1, P);
            var r = Mod(s2 - s1, P);
            var h2 = Mod(h * h, P);
            var h3 = Mod(h2 * h, P);
            var x = Mod((r * r) - h3 - (2 * u1 * h2), P);
            var y = Mod((r * ((u1 * h2) - x)) - (s1 * h3), P);
            return (x, y, Mod(h * a.Z * b.Z, P));
        }

        private static BigInteger Mod(BigInteger value, BigInteger modulus)
        {
            var r = value % modulus;
            return r.Sign < 0 ? r + modulus : r;
        }

        private static BigInteger ModInverse(BigInteger value, BigInteger prime) => BigInteger.ModPow(Mod(value, prime), prime - 2, prime);
    }
}
