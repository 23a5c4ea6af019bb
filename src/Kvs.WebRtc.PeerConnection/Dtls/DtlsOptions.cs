using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Settings of one <see cref="DtlsConnection"/>; validated by the connection's constructor.</summary>
internal sealed record DtlsOptions
{
    /// <summary>
    /// First retransmission timeout of each flight; doubled on every expiry up to <see cref="MaxRetransmitTimeout"/>
    /// (RFC 6347 §4.2.4.1). Default 250 ms: RFC 6347 suggests 1 s for the general Internet, but WebRTC handshakes run
    /// over ICE-verified paths whose round trip is usually known to be short; libwebrtc derives the initial timeout
    /// from the ICE RTT and clamps it to 50 ms .. 3 s. A driver that knows the RTT may set about twice it.
    /// </summary>
    public TimeSpan InitialRetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Upper bound of the doubling retransmission timeout. Default 3 s (libwebrtc's upper clamp) instead of RFC 6347's
    /// 60 s, so that about a dozen flights fit in <see cref="HandshakeTimeout"/> and a handshake survives heavy loss.
    /// </summary>
    public TimeSpan MaxRetransmitTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The handshake fails with <see cref="DtlsError.Timeout"/> (sending a fatal handshake_failure alert) when not
    /// complete this long after it began; default 30 s.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest datagram produced for handshake flights (path MTU minus IP/UDP headers); default 1200.</summary>
    public int MaximumTransmissionUnit { get; init; } = 1200;

    /// <summary>Cipher suites in preference order; null means the defaults (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 when supported).</summary>
    public IReadOnlyList<DtlsCipherSuite>? CipherSuites { get; init; }

    /// <summary>SRTP profiles offered or accepted, in preference order; empty disables use_srtp.</summary>
    public IReadOnlyList<DtlsSrtpProtectionProfile> SrtpProfiles { get; init; } =
        [DtlsSrtpProtectionProfile.AeadAes128Gcm, DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80, DtlsSrtpProtectionProfile.Aes128CmHmacSha1_32];

    /// <summary>Most received application records buffered until read; further ones are dropped.</summary>
    public int MaxPendingReceiveRecords { get; init; } = 256;

    /// <summary>Most datagrams queued for transmission; <see cref="DtlsConnection.SendApplicationData"/> returns false beyond it.</summary>
    public int MaxPendingTransmitDatagrams { get; init; } = 1024;

    /// <summary>
    /// Whether a server answers the first ClientHello with a stateless HelloVerifyRequest cookie (RFC 6347 §4.2.1);
    /// default true. Turning it off saves a round trip where the path is already verified (ICE consent).
    /// </summary>
    public bool UseCookieExchange { get; init; } = true;

    /// <summary>Whether a server requests (and requires) a client certificate; WebRTC is mutual, so true.</summary>
    public bool RequireClientCertificate { get; init; } = true;

    /// <summary>
    /// Randoms, ECDH keys and signatures; default <see cref="DtlsEntropy.System"/>. Only the fuzz harnesses replace it
    /// (with a deterministic source), and the type is internal, so nothing public reaches it.
    /// </summary>
    internal DtlsEntropy Entropy { get; init; } = DtlsEntropy.System;

    /// <summary>The cipher suites actually used.</summary>
    internal IReadOnlyList<DtlsCipherSuite> EffectiveCipherSuites => CipherSuites ?? DefaultCipherSuites;

    private static IReadOnlyList<DtlsCipherSuite> DefaultCipherSuites { get; } = ChaCha20Poly1305.IsSupported
        ? [DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384, DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256]
        : [DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384];

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    internal void Validate()
    {
        if (InitialRetransmitTimeout <= TimeSpan.Zero || MaxRetransmitTimeout < InitialRetransmitTimeout)
        {
            throw new ArgumentException("Retransmission timeouts must be positive and Max >= Initial.", nameof(InitialRetransmitTimeout));
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("HandshakeTimeout must be positive.", nameof(HandshakeTimeout));
        }

        if (MaximumTransmissionUnit is < 256 or > 65507)
        {
            throw new ArgumentException("MaximumTransmissionUnit must be between 256 and 65507.", nameof(MaximumTransmissionUnit));
        }

        if (EffectiveCipherSuites.Count == 0)
        {
            throw new ArgumentException("At least one cipher suite is required.", nameof(CipherSuites));
        }

        foreach (var suite in EffectiveCipherSuites)
        {
            if (!DtlsCipherSuiteInfo.IsSupported(suite))
            {
                throw new ArgumentException($"Cipher suite {suite} is not supported on this platform.", nameof(CipherSuites));
            }
        }

        if (MaxPendingReceiveRecords < 1 || MaxPendingTransmitDatagrams < 16)
        {
            throw new ArgumentException("Queue limits are too small.", nameof(MaxPendingReceiveRecords));
        }
    }
}
