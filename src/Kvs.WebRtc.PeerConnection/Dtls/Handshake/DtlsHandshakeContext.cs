using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// What both roles' flight handlers share for one handshake: configuration, randoms, transcript, the negotiated
/// suite, key share and secrets, the peer's certificate, and the flight being sent. Secrets are zeroed on dispose.
/// </summary>
internal sealed class DtlsHandshakeContext : IDisposable
{
    public DtlsHandshakeContext(DtlsRole role, DtlsCertificate certificate, DtlsFingerprint[] remoteFingerprints, DtlsOptions options)
    {
        Role = role;
        Certificate = certificate;
        RemoteFingerprints = remoteFingerprints;
        Options = options;
    }

    public DtlsRole Role { get; }

    public DtlsCertificate Certificate { get; }

    public DtlsOptions Options { get; }

    /// <summary>Fingerprints from the remote SDP; empty until it is known.</summary>
    public DtlsFingerprint[] RemoteFingerprints { get; set; }

    public DtlsTranscript Transcript { get; } = new();

    public DtlsFlight Flight { get; } = new();

    public byte[] ClientRandom { get; set; } = new byte[DtlsCodePoint.RandomLength];

    public byte[] ServerRandom { get; set; } = new byte[DtlsCodePoint.RandomLength];

    /// <summary>The negotiated suite, once the hellos were exchanged.</summary>
    public DtlsCipherSuiteInfo? Suite { get; set; }

    public DtlsSrtpProtectionProfile? SrtpProfile { get; set; }

    public DtlsKeyShare? KeyShare { get; private set; }

    public byte[]? PreMasterSecret { get; set; }

    public byte[]? MasterSecret { get; private set; }

    /// <summary>The public key of the peer's certificate.</summary>
    public ECDsa? PeerKey { get; set; }

    /// <summary>The peer's leaf certificate (DER), once received.</summary>
    public ReadOnlyMemory<byte> RemoteCertificate { get; set; }

    public bool CertificateRequested { get; set; }

    public bool PeerSentCertificate { get; set; }

    public bool FingerprintVerified { get; set; }

    /// <summary>Replaces the key share with a fresh one on <paramref name="group"/>; false when the group is not supported.</summary>
    public bool TryCreateKeyShare(ushort group)
    {
        if (!DtlsKeyShare.TryCreate(group, Options.Entropy, out var share))
        {
            return false;
        }

        KeyShare?.Dispose();
        KeyShare = share;
        return true;
    }

    /// <summary>Computes the extended master secret from the pre-master secret and the transcript so far.</summary>
    /// <returns>The record protection of this side's writes and of its reads.</returns>
    public (DtlsRecordProtection Write, DtlsRecordProtection Read) DeriveKeys()
    {
        MasterSecret = Suite!.ComputeExtendedMasterSecret(PreMasterSecret, Transcript.Messages);
        var (client, server) = Suite.CreateRecordProtection(MasterSecret, ClientRandom, ServerRandom);
        return Role == DtlsRole.Client ? (client, server) : (server, client);
    }

    /// <summary>verify_data of <paramref name="label"/> over the transcript so far.</summary>
    public void ComputeVerifyData(string label, Span<byte> destination) =>
        Suite!.ComputeVerifyData(MasterSecret, label, Transcript.Messages, destination);

    /// <summary>Zeroes the pre-master secret (no longer needed once Finished was verified).</summary>
    public void ForgetPreMasterSecret()
    {
        if (PreMasterSecret is not null)
        {
            CryptographicOperations.ZeroMemory(PreMasterSecret);
            PreMasterSecret = null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KeyShare?.Dispose();
        PeerKey?.Dispose();
        ForgetPreMasterSecret();
        if (MasterSecret is not null)
        {
            CryptographicOperations.ZeroMemory(MasterSecret);
        }
    }
}
