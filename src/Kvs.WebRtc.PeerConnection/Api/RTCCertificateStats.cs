namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A DTLS certificate, ours or the peer's (W3C <see href="https://www.w3.org/TR/webrtc-stats/#certificatestats-dict*">RTCCertificateStats</see>,
/// type <c>certificate</c>), referred to by <see cref="RTCTransportStats.LocalCertificateId"/> and
/// <see cref="RTCTransportStats.RemoteCertificateId"/>. Only public data: the certificate and its fingerprint, never a key.
/// </summary>
public sealed class RTCCertificateStats : RTCStats
{
    internal RTCCertificateStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.Certificate;

    /// <summary>The fingerprint as upper-case hex bytes separated by colons (W3C <c>fingerprint</c>), as in the SDP.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The fingerprint's hash function, e.g. <c>sha-256</c> (W3C <c>fingerprintAlgorithm</c>).</summary>
    public required string FingerprintAlgorithm { get; init; }

    /// <summary>The DER certificate in base64 (W3C <c>base64Certificate</c>).</summary>
    public required string Base64Certificate { get; init; }
}
