namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// The SRTP key derivation function of RFC 3711 §4.3 with the AES-CM PRF (§4.3.3) and a key derivation rate of 0,
/// which is what DTLS-SRTP uses (RFC 5764 §4.1.2). RFC 7714 §11 reuses it with the 96-bit GCM master salt,
/// zero-padded on the right to the 112-bit PRF input.
/// </summary>
internal static class SrtpKeyDerivation
{
    /// <summary>SRTP encryption key label.</summary>
    public const byte RtpEncryption = 0x00;

    /// <summary>SRTP authentication key label.</summary>
    public const byte RtpAuthentication = 0x01;

    /// <summary>SRTP salt label.</summary>
    public const byte RtpSalt = 0x02;

    /// <summary>SRTCP encryption key label.</summary>
    public const byte RtcpEncryption = 0x03;

    /// <summary>SRTCP authentication key label.</summary>
    public const byte RtcpAuthentication = 0x04;

    /// <summary>SRTCP salt label.</summary>
    public const byte RtcpSalt = 0x05;

    /// <summary>Derives <paramref name="destination"/>.Length bytes of session key material for <paramref name="label"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> destination)
    {
        if (masterSalt.Length > 14)
        {
            throw new ArgumentException("The master salt is at most 112 bits.", nameof(masterSalt));
        }

        // x = key_id XOR master_salt, where key_id = label || r (r = 0 with kdr 0) is right-aligned in 112 bits,
        // so the label lands on byte 7; the PRF input is x * 2^16 (§4.3.1, §4.3.3).
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        using var prf = new AesCounterMode(masterKey);
        prf.Keystream(iv, destination);
    }
}
