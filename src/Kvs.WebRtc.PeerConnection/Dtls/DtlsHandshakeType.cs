namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Handshake message types (RFC 5246 §7.4, RFC 6347 §4.2.2).</summary>
internal enum DtlsHandshakeType : byte
{
    /// <summary>hello_request.</summary>
    HelloRequest = 0,

    /// <summary>client_hello.</summary>
    ClientHello = 1,

    /// <summary>server_hello.</summary>
    ServerHello = 2,

    /// <summary>hello_verify_request (DTLS only).</summary>
    HelloVerifyRequest = 3,

    /// <summary>certificate.</summary>
    Certificate = 11,

    /// <summary>server_key_exchange.</summary>
    ServerKeyExchange = 12,

    /// <summary>certificate_request.</summary>
    CertificateRequest = 13,

    /// <summary>server_hello_done.</summary>
    ServerHelloDone = 14,

    /// <summary>certificate_verify.</summary>
    CertificateVerify = 15,

    /// <summary>client_key_exchange.</summary>
    ClientKeyExchange = 16,

    /// <summary>finished.</summary>
    Finished = 20,
}
