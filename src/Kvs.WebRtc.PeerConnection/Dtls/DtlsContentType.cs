namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>Record content types (RFC 5246 §6.2.1).</summary>
internal enum DtlsContentType : byte
{
    /// <summary>change_cipher_spec.</summary>
    ChangeCipherSpec = 20,

    /// <summary>alert.</summary>
    Alert = 21,

    /// <summary>handshake.</summary>
    Handshake = 22,

    /// <summary>application_data.</summary>
    ApplicationData = 23,
}
