using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// A certificate fingerprint as carried by the SDP <c>a=fingerprint</c> attribute (RFC 8122 §5), e.g.
/// <c>sha-256 AB:CD:...</c>. Equivalent to the W3C <c>RTCDtlsFingerprint</c>.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    private readonly byte[] _value;

    private DtlsFingerprint(string algorithm, byte[] value)
    {
        Algorithm = algorithm;
        _value = value;
    }

    /// <summary>Hash function name in lower case as SDP spells it: <c>sha-1</c>, <c>sha-256</c>, <c>sha-384</c> or <c>sha-512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The digest bytes.</summary>
    public ReadOnlyMemory<byte> Value => _value;

    /// <summary>Computes the fingerprint of a DER-encoded certificate.</summary>
    /// <param name="algorithm">One of <c>sha-1</c>, <c>sha-256</c>, <c>sha-384</c>, <c>sha-512</c> (case-insensitive).</param>
    /// <param name="certificateDer">The certificate's DER bytes.</param>
    /// <exception cref="ArgumentException">The algorithm is not supported.</exception>
    public static DtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> certificateDer)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        var name = algorithm.ToLowerInvariant();
        var value = name switch
        {
#pragma warning disable CA5350 // RFC 8122 allows sha-1 fingerprints from legacy peers; the handshake itself never relies on SHA-1.
            "sha-1" => SHA1.HashData(certificateDer),
#pragma warning restore CA5350
            "sha-256" => SHA256.HashData(certificateDer),
            "sha-384" => SHA384.HashData(certificateDer),
            "sha-512" => SHA512.HashData(certificateDer),
            _ => throw new ArgumentException($"Unsupported fingerprint algorithm '{algorithm}'.", nameof(algorithm)),
        };
        return new DtlsFingerprint(name, value);
    }

    /// <summary>Parses <c>"sha-256 AB:CD:..."</c> (the value of <c>a=fingerprint:</c>).</summary>
    /// <exception cref="FormatException">The text is not a supported fingerprint.</exception>
    public static DtlsFingerprint Parse(string text) =>
        TryParse(text, out var fingerprint) ? fingerprint : throw new FormatException("Not a valid DTLS fingerprint (expected e.g. 'sha-256 AB:CD:...').");

    /// <summary>Tries to parse <c>"sha-256 AB:CD:..."</c>; the hex digits may be upper or lower case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return false;
        }

        var algorithm = parts[0].ToLowerInvariant();
        var expectedLength = algorithm switch
        {
            "sha-1" => 20,
            "sha-256" => 32,
            "sha-384" => 48,
            "sha-512" => 64,
            _ => -1,
        };
        var hex = parts[1].Split(':');
        if (expectedLength < 0 || hex.Length != expectedLength)
        {
            return false;
        }

        var value = new byte[expectedLength];
        for (var i = 0; i < hex.Length; i++)
        {
            if (hex[i].Length != 2 || !byte.TryParse(hex[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value[i]))
            {
                return false;
            }
        }

        fingerprint = new DtlsFingerprint(algorithm, value);
        return true;
    }

    /// <summary>True when this fingerprint is the hash of <paramref name="certificateDer"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        var computed = Compute(Algorithm, certificateDer);
        return CryptographicOperations.FixedTimeEquals(computed._value, _value);
    }

    /// <summary>The SDP form, <c>sha-256 AB:CD:...</c> with upper-case hex.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Algorithm.Length + 1 + (_value.Length * 3));
        builder.Append(Algorithm).Append(' ');
        for (var i = 0; i < _value.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(':');
            }

            builder.Append(_value[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public bool Equals(DtlsFingerprint? other) =>
        other is not null && Algorithm == other.Algorithm && _value.AsSpan().SequenceEqual(other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Algorithm);
        hash.AddBytes(_value);
        return hash.ToHashCode();
    }
}
