using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// One direction of an SRTP/SRTCP session (RFC 3711, RFC 7714): the session keys derived from one master key and salt
/// plus per-SSRC state. Use one context with the local master key to protect outgoing packets and another with the
/// remote master key to unprotect incoming ones (<see cref="CreateFromKeyingMaterial"/> builds both from the DTLS-SRTP
/// exporter output). Packets are transformed in place in the caller's buffer; no allocation per packet.
/// </summary>
/// <remarks>Not thread-safe: a context is used by one driver loop.</remarks>
internal sealed class SrtpContext : IDisposable
{
    /// <summary>Maximum number of SSRCs tracked; packets of further streams are refused.</summary>
    public const int MaxStreams = 1024;

    private const int RtpHeaderLength = 12;
    private const int RtcpHeaderLength = 8;
    private const int SrtcpIndexLength = 4;
    private const uint EBit = 0x8000_0000;

    private readonly Dictionary<uint, SrtpStream> _streams = [];
    private readonly SessionKeys _rtp;
    private readonly SessionKeys _rtcp;
    private readonly int _rtpTagLength;
    private readonly int _rtcpTagLength;
    private bool _disposed;

    /// <summary>Derives the session keys from a master key and salt (RFC 3711 §4.3, RFC 7714 §11).</summary>
    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != SrtpProfileInfo.MasterKeyLength(profile))
        {
            throw new ArgumentException("Wrong master key length for the profile.", nameof(masterKey));
        }

        if (masterSalt.Length != SrtpProfileInfo.MasterSaltLength(profile))
        {
            throw new ArgumentException("Wrong master salt length for the profile.", nameof(masterSalt));
        }

        Profile = profile;
        _rtpTagLength = SrtpProfileInfo.RtpTagLength(profile);
        _rtcpTagLength = SrtpProfileInfo.RtcpTagLength(profile);
        var saltLength = masterSalt.Length;
        Span<byte> key = stackalloc byte[16];
        Span<byte> salt = stackalloc byte[14];
        Span<byte> auth = stackalloc byte[20];
        try
        {
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption, key);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSalt, salt[..saltLength]);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
            _rtp = new SessionKeys(profile, key, salt[..saltLength], auth);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpEncryption, key);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpSalt, salt[..saltLength]);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpAuthentication, auth);
            _rtcp = new SessionKeys(profile, key, salt[..saltLength], auth);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(salt);
            CryptographicOperations.ZeroMemory(auth);
        }
    }

    /// <summary>Uses session keys directly (for the RFC 7714 §16/§17 vectors, which skip the KDF).</summary>
    internal SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt, ReadOnlySpan<byte> authKey, bool sessionKeys)
    {
        _ = sessionKeys;
        Profile = profile;
        _rtpTagLength = SrtpProfileInfo.RtpTagLength(profile);
        _rtcpTagLength = SrtpProfileInfo.RtcpTagLength(profile);
        _rtp = new SessionKeys(profile, sessionKey, sessionSalt, authKey);
        _rtcp = new SessionKeys(profile, sessionKey, sessionSalt, authKey);
    }

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Bytes <see cref="ProtectRtp"/> appends to a packet.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes <see cref="ProtectRtcp"/> appends to a packet (tag plus the 4-byte E flag and SRTCP index).</summary>
    public int RtcpOverhead => _rtcpTagLength + SrtcpIndexLength;

    /// <summary>Number of SSRCs tracked.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>
    /// Splits DTLS-SRTP exporter output (client key | server key | client salt | server salt, RFC 5764 §4.2) and
    /// builds the outbound (local) and inbound (remote) contexts.
    /// </summary>
    /// <param name="profile">The negotiated profile.</param>
    /// <param name="keyingMaterial">Exactly <see cref="SrtpProfileInfo.KeyingMaterialLength"/> bytes of "EXTRACTOR-dtls_srtp" output.</param>
    /// <param name="isDtlsClient">True when this side was the DTLS client.</param>
    public static (SrtpContext Outbound, SrtpContext Inbound) CreateFromKeyingMaterial(SrtpProfile profile, ReadOnlySpan<byte> keyingMaterial, bool isDtlsClient)
    {
        var keyLength = SrtpProfileInfo.MasterKeyLength(profile);
        var saltLength = SrtpProfileInfo.MasterSaltLength(profile);
        if (keyingMaterial.Length != 2 * (keyLength + saltLength))
        {
            throw new ArgumentException("Wrong keying material length for the profile.", nameof(keyingMaterial));
        }

        var clientKey = keyingMaterial[..keyLength];
        var serverKey = keyingMaterial.Slice(keyLength, keyLength);
        var clientSalt = keyingMaterial.Slice(2 * keyLength, saltLength);
        var serverSalt = keyingMaterial.Slice((2 * keyLength) + saltLength, saltLength);
        var client = new SrtpContext(profile, clientKey, clientSalt);
        var server = new SrtpContext(profile, serverKey, serverSalt);
        return isDtlsClient ? (client, server) : (server, client);
    }

    /// <summary>Sets the next SRTCP index sent for <paramref name="ssrc"/> (tests and key continuity).</summary>
    internal void SetNextRtcpIndex(uint ssrc, uint index)
    {
        if (GetOrAddStream(ssrc) is { } stream)
        {
            stream.NextRtcpIndex = index & ~EBit;
        }
    }

    /// <summary>Sets the sender ROC for <paramref name="ssrc"/> (tests).</summary>
    internal void SetRoc(uint ssrc, uint roc)
    {
        if (GetOrAddStream(ssrc) is { } stream)
        {
            stream.Roc = roc;
        }
    }

    /// <summary>
    /// Encrypts and authenticates the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place and
    /// appends the tag (RFC 3711 §3.3, RFC 7714 §8). The buffer needs <see cref="RtpOverhead"/> spare bytes.
    /// </summary>
    public SrtpError ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || !TryGetRtpHeaderLength(buffer[..length], out var headerLength))
        {
            return SrtpError.Malformed;
        }

        if (buffer.Length < length + _rtpTagLength)
        {
            return SrtpError.BufferTooSmall;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if (GetOrAddStream(ssrc) is not { } stream)
        {
            return SrtpError.TooManyStreams;
        }

        var index = stream.EstimateIndex(sequence, out var roc);
        stream.Update(sequence, roc);

        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(_rtp.Salt, ssrc, roc, sequence, nonce);
            var payload = buffer[headerLength..length];
            gcm.Encrypt(nonce, payload, payload, buffer.Slice(length, _rtpTagLength), buffer[..headerLength]);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CounterIv(_rtp.Salt, ssrc, index, iv);
            _rtp.Ctr!.Transform(iv, buffer[headerLength..length]);
            RtpHmac(buffer[..length], roc, buffer.Slice(length, _rtpTagLength));
        }

        protectedLength = length + _rtpTagLength;
        return SrtpError.None;
    }

    /// <summary>
    /// Verifies and decrypts the SRTP packet in <paramref name="packet"/> in place (RFC 3711 §3.3, RFC 7714 §8);
    /// on success <paramref name="length"/> is the RTP packet length (tag removed).
    /// </summary>
    public SrtpError UnprotectRtp(Span<byte> packet, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        length = 0;
        if (packet.Length < RtpHeaderLength + _rtpTagLength)
        {
            return SrtpError.Malformed;
        }

        var bodyLength = packet.Length - _rtpTagLength;
        if (!TryGetRtpHeaderLength(packet[..bodyLength], out var headerLength))
        {
            return SrtpError.Malformed;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        _streams.TryGetValue(ssrc, out var stream);
        uint roc = 0;
        ulong index = sequence;
        if (stream is not null)
        {
            index = stream.EstimateIndex(sequence, out roc);
            if (stream.RtpReplay.IsReplay(index))
            {
                return SrtpError.Replayed;
            }
        }
        else if (_streams.Count >= MaxStreams)
        {
            return SrtpError.TooManyStreams;
        }

        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtpGcmNonce(_rtp.Salt, ssrc, roc, sequence, nonce);
            var ciphertext = packet[headerLength..bodyLength];
            try
            {
                gcm.Decrypt(nonce, ciphertext, packet.Slice(bodyLength, _rtpTagLength), ciphertext, packet[..headerLength]);
            }
            catch (CryptographicException)
            {
                return SrtpError.AuthenticationFailed;
            }
        }
        else
        {
            Span<byte> tag = stackalloc byte[20];
            RtpHmac(packet[..bodyLength], roc, tag[.._rtpTagLength]);
            if (!CryptographicOperations.FixedTimeEquals(tag[.._rtpTagLength], packet.Slice(bodyLength, _rtpTagLength)))
            {
                return SrtpError.AuthenticationFailed;
            }

            Span<byte> iv = stackalloc byte[16];
            CounterIv(_rtp.Salt, ssrc, index, iv);
            _rtp.Ctr!.Transform(iv, packet[headerLength..bodyLength]);
        }

        stream ??= GetOrAddStream(ssrc)!;
        stream.RtpReplay.Accept(index);
        stream.Update(sequence, roc);
        length = bodyLength;
        return SrtpError.None;
    }

    /// <summary>
    /// Encrypts and authenticates the (compound) RTCP packet in <paramref name="buffer"/>[..<paramref name="length"/>]
    /// in place, appending the E flag, SRTCP index and tag (RFC 3711 §3.4, RFC 7714 §9). Needs <see cref="RtcpOverhead"/> spare bytes.
    /// </summary>
    public SrtpError ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || length < RtcpHeaderLength || buffer[0] >> 6 != 2)
        {
            return SrtpError.Malformed;
        }

        if (buffer.Length < length + RtcpOverhead)
        {
            return SrtpError.BufferTooSmall;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        if (GetOrAddStream(ssrc) is not { } stream)
        {
            return SrtpError.TooManyStreams;
        }

        var index = stream.NextRtcpIndex;
        stream.NextRtcpIndex = (index + 1) & ~EBit;

        if (_rtcp.Gcm is { } gcm)
        {
            // RFC 7714 §9: header || ciphertext || tag || E|index; the AAD is the header plus E|index.
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(_rtcp.Salt, ssrc, index, nonce);
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
            buffer[..RtcpHeaderLength].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], index | EBit);
            var payload = buffer[RtcpHeaderLength..length];
            gcm.Encrypt(nonce, payload, payload, buffer.Slice(length, _rtcpTagLength), aad);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[(length + _rtcpTagLength)..], index | EBit);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CounterIv(_rtcp.Salt, ssrc, index, iv);
            _rtcp.Ctr!.Transform(iv, buffer[RtcpHeaderLength..length]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], index | EBit);
            RtcpHmac(buffer[..(length + SrtcpIndexLength)], buffer.Slice(length + SrtcpIndexLength, _rtcpTagLength));
        }

        protectedLength = length + RtcpOverhead;
        return SrtpError.None;
    }

    /// <summary>Verifies and decrypts the SRTCP packet in <paramref name="packet"/> in place; <paramref name="length"/> is the RTCP length.</summary>
    public SrtpError UnprotectRtcp(Span<byte> packet, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        length = 0;
        if (packet.Length < RtcpHeaderLength + RtcpOverhead || packet[0] >> 6 != 2)
        {
            return SrtpError.Malformed;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var bodyLength = packet.Length - RtcpOverhead;
        var trailer = _rtcp.Gcm is null
            ? BinaryPrimitives.ReadUInt32BigEndian(packet[bodyLength..])
            : BinaryPrimitives.ReadUInt32BigEndian(packet[(packet.Length - SrtcpIndexLength)..]);
        var encrypted = (trailer & EBit) != 0;
        var index = trailer & ~EBit;
        _streams.TryGetValue(ssrc, out var stream);
        if (stream is not null && stream.RtcpReplay.IsReplay(index))
        {
            return SrtpError.Replayed;
        }

        if (stream is null && _streams.Count >= MaxStreams)
        {
            return SrtpError.TooManyStreams;
        }

        if (_rtcp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            RtcpGcmNonce(_rtcp.Salt, ssrc, index, nonce);
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
            packet[..RtcpHeaderLength].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], trailer);
            var tag = packet.Slice(bodyLength, _rtcpTagLength);
            try
            {
                if (encrypted)
                {
                    var ciphertext = packet[RtcpHeaderLength..bodyLength];
                    gcm.Decrypt(nonce, ciphertext, tag, ciphertext, aad);
                }
                else
                {
                    // Unencrypted SRTCP under GCM authenticates the whole packet as AAD (RFC 7714 §9.3).
                    Span<byte> fullAad = bodyLength + SrtcpIndexLength <= 1500 ? stackalloc byte[bodyLength + SrtcpIndexLength] : new byte[bodyLength + SrtcpIndexLength];
                    packet[..bodyLength].CopyTo(fullAad);
                    BinaryPrimitives.WriteUInt32BigEndian(fullAad[bodyLength..], trailer);
                    gcm.Decrypt(nonce, ReadOnlySpan<byte>.Empty, tag, Span<byte>.Empty, fullAad);
                }
            }
            catch (CryptographicException)
            {
                return SrtpError.AuthenticationFailed;
            }
        }
        else
        {
            Span<byte> tag = stackalloc byte[20];
            RtcpHmac(packet[..(bodyLength + SrtcpIndexLength)], tag[.._rtcpTagLength]);
            if (!CryptographicOperations.FixedTimeEquals(tag[.._rtcpTagLength], packet.Slice(bodyLength + SrtcpIndexLength, _rtcpTagLength)))
            {
                return SrtpError.AuthenticationFailed;
            }

            if (encrypted)
            {
                Span<byte> iv = stackalloc byte[16];
                CounterIv(_rtcp.Salt, ssrc, index, iv);
                _rtcp.Ctr!.Transform(iv, packet[RtcpHeaderLength..bodyLength]);
            }
        }

        stream ??= GetOrAddStream(ssrc)!;
        stream.RtcpReplay.Accept(index);
        length = bodyLength;
        return SrtpError.None;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    /// <summary>RTP header length including CSRCs and the header extension (RFC 3550 §5.1, §5.3.1).</summary>
    /// <summary>The RTP header's length with CSRCs and extension, false when the packet cannot hold it (what protect checks).</summary>
    internal static bool TryGetRtpHeaderLength(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < RtpHeaderLength || packet[0] >> 6 != 2)
        {
            return false;
        }

        var length = RtpHeaderLength + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]));
        }

        if (length > packet.Length)
        {
            return false;
        }

        headerLength = length;
        return true;
    }

    /// <summary>IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) (RFC 3711 §4.1.1).</summary>
    private static void CounterIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        iv.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], ssrc);
        iv[8] = (byte)(index >> 40);
        iv[9] = (byte)(index >> 32);
        BinaryPrimitives.WriteUInt32BigEndian(iv[10..], (uint)index);
        for (var i = 0; i < salt.Length; i++)
        {
            iv[i] ^= salt[i];
        }
    }

    /// <summary>IV = (0x0000 || SSRC || ROC || SEQ) XOR salt (RFC 7714 §8.1).</summary>
    private static void RtpGcmNonce(ReadOnlySpan<byte> salt, uint ssrc, uint roc, ushort sequence, Span<byte> nonce)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], roc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], sequence);
        for (var i = 0; i < 12; i++)
        {
            nonce[i] ^= salt[i];
        }
    }

    /// <summary>IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt (RFC 7714 §9.1).</summary>
    private static void RtcpGcmNonce(ReadOnlySpan<byte> salt, uint ssrc, uint index, Span<byte> nonce)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        nonce[6] = 0;
        nonce[7] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        for (var i = 0; i < 12; i++)
        {
            nonce[i] ^= salt[i];
        }
    }

    /// <summary>Tag = HMAC-SHA1(k_a, packet || ROC) truncated (RFC 3711 §4.2).</summary>
    private void RtpHmac(ReadOnlySpan<byte> authenticated, uint roc, Span<byte> tag)
    {
        var hmac = _rtp.Hmac!;
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        hmac.AppendData(authenticated);
        hmac.AppendData(rocBytes);
        Span<byte> full = stackalloc byte[20];
        hmac.TryGetHashAndReset(full, out _);
        full[..tag.Length].CopyTo(tag);
    }

    /// <summary>Tag = HMAC-SHA1(k_a, packet || E || index) truncated to 80 bits (RFC 3711 §3.4).</summary>
    private void RtcpHmac(ReadOnlySpan<byte> authenticated, Span<byte> tag)
    {
        var hmac = _rtcp.Hmac!;
        hmac.AppendData(authenticated);
        Span<byte> full = stackalloc byte[20];
        hmac.TryGetHashAndReset(full, out _);
        full[..tag.Length].CopyTo(tag);
    }

    private SrtpStream? GetOrAddStream(uint ssrc)
    {
        if (_streams.TryGetValue(ssrc, out var stream))
        {
            return stream;
        }

        if (_streams.Count >= MaxStreams)
        {
            return null;
        }

        stream = new SrtpStream();
        _streams.Add(ssrc, stream);
        return stream;
    }

    /// <summary>The cipher objects of SRTP or SRTCP, created once and reused for every packet.</summary>
    private sealed class SessionKeys : IDisposable
    {
        public SessionKeys(SrtpProfile profile, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authKey)
        {
            Salt = salt.ToArray();
            if (SrtpProfileInfo.IsAead(profile))
            {
                Gcm = new AesGcm(key, 16);
            }
            else
            {
                Ctr = new AesCounterMode(key);
                Hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
            }
        }

        public byte[] Salt { get; }

        public AesGcm? Gcm { get; }

        public AesCounterMode? Ctr { get; }

        public IncrementalHash? Hmac { get; }

        public void Dispose()
        {
            Gcm?.Dispose();
            Ctr?.Dispose();
            Hmac?.Dispose();
            CryptographicOperations.ZeroMemory(Salt);
        }
    }
}
