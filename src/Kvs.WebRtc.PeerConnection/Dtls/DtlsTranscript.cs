using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The handshake transcript: every handshake message of this handshake as if sent unfragmented (RFC 6347 §4.2.6),
/// hashed for the extended master secret, Finished, and signed by CertificateVerify. Bounded by <see cref="MaxLength"/>.
/// </summary>
internal sealed class DtlsTranscript
{
    /// <summary>Cap on the transcript (a WebRTC handshake is a few KiB).</summary>
    public const int MaxLength = 64 * 1024;

    private DtlsWriter _messages = new();

    /// <summary>The bytes so far.</summary>
    public ReadOnlySpan<byte> Messages => _messages.WrittenSpan;

    /// <summary>Bytes so far.</summary>
    public int Length => _messages.Length;

    /// <summary>Starts over (the first ClientHello and HelloVerifyRequest are not part of it, RFC 6347 §4.2.6).</summary>
    public void Reset() => _messages = new DtlsWriter();

    /// <summary>Appends a received message with its own message_seq; false (nothing appended) when the cap would be exceeded.</summary>
    public bool TryAppend(DtlsHandshakeType type, int messageSequence, ReadOnlySpan<byte> body)
    {
        if (_messages.Length + DtlsHandshakeHeader.Size + body.Length > MaxLength)
        {
            return false;
        }

        DtlsHandshakeHeader.WriteWhole(_messages, type, messageSequence, body);
        return true;
    }

    /// <summary>Appends a whole message (header and body) this side sends; false (nothing appended) when the cap would be exceeded.</summary>
    public bool TryAppendMessage(ReadOnlySpan<byte> message)
    {
        if (_messages.Length + message.Length > MaxLength)
        {
            return false;
        }

        _messages.WriteBytes(message);
        return true;
    }
}
