namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The ICE/DTLS transport of the connection (W3C <see href="https://www.w3.org/TR/webrtc-stats/#transportstats-dict*">RTCTransportStats</see>,
/// type <c>transport</c>): with BUNDLE and rtcp-mux every RTP stream and the data channels share this one.
/// </summary>
public sealed class RTCTransportStats : RTCStats
{
    internal RTCTransportStats()
    {
    }

    /// <inheritdoc/>
    public override RTCStatsType Type => RTCStatsType.Transport;

    /// <summary>Datagrams sent on the ICE transport (DTLS, SRTP, SRTCP; not STUN) (W3C <c>packetsSent</c>).</summary>
    public long PacketsSent { get; init; }

    /// <summary>Datagrams received from the validated peer (DTLS, SRTP, SRTCP; not STUN) (W3C <c>packetsReceived</c>).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>UDP payload bytes of <see cref="PacketsSent"/> (W3C <c>bytesSent</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>UDP payload bytes of <see cref="PacketsReceived"/> (W3C <c>bytesReceived</c>).</summary>
    public long BytesReceived { get; init; }

    /// <summary>The ICE role (W3C <c>iceRole</c>).</summary>
    public RTCIceRole IceRole { get; init; }

    /// <summary>Our ICE username fragment (W3C <c>iceLocalUsernameFragment</c>; public, it is in the SDP).</summary>
    public string? IceLocalUsernameFragment { get; init; }

    /// <summary>The ICE transport's state (W3C <c>iceState</c>).</summary>
    public RTCIceConnectionState IceState { get; init; }

    /// <summary>The DTLS transport's state (W3C <c>dtlsState</c>).</summary>
    public RTCDtlsTransportState DtlsState { get; init; }

    /// <summary><c>client</c> or <c>server</c> once known, else null (W3C <c>dtlsRole</c>, whose <c>unknown</c> is null here).</summary>
    public string? DtlsRole { get; init; }

    /// <summary>The <see cref="RTCIceCandidatePairStats"/> of the selected pair, or null before one was selected (W3C <c>selectedCandidatePairId</c>).</summary>
    public string? SelectedCandidatePairId { get; init; }

    /// <summary>How many times a pair was selected (W3C <c>selectedCandidatePairChanges</c>).</summary>
    public long SelectedCandidatePairChanges { get; init; }

    /// <summary>The <see cref="RTCCertificateStats"/> of our certificate (W3C <c>localCertificateId</c>).</summary>
    public string? LocalCertificateId { get; init; }

    /// <summary>The <see cref="RTCCertificateStats"/> of the peer's certificate, or null before the handshake (W3C <c>remoteCertificateId</c>).</summary>
    public string? RemoteCertificateId { get; init; }

    /// <summary>The DTLS version as four upper-case hex digits (<c>FEFD</c> for DTLS 1.2), or null before the handshake (W3C <c>tlsVersion</c>).</summary>
    public string? TlsVersion { get; init; }

    /// <summary>The DTLS cipher suite's IANA name, or null before the handshake (W3C <c>dtlsCipher</c>).</summary>
    public string? DtlsCipher { get; init; }

    /// <summary>The DTLS-SRTP protection profile's IANA name (<c>SRTP_AES128_CM_HMAC_SHA1_80</c>, <c>SRTP_AEAD_AES_128_GCM</c>...), or null when none was negotiated (W3C <c>srtpCipher</c>).</summary>
    public string? SrtpCipher { get; init; }
}
