using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The flight this side sent last (RFC 6347 §4.2.4), kept whole for retransmission: handshake messages with their
/// message_seq, and the ChangeCipherSpec. <see cref="DtlsConnection"/> packs and fragments it into datagrams.
/// </summary>
internal sealed class DtlsFlight
{
    private readonly List<Message> _messages = [];

    /// <summary>The messages of the flight, in order.</summary>
    public IReadOnlyList<Message> Messages => _messages;

    /// <summary>The message_seq of the next handshake message this side sends.</summary>
    public int NextSendSequence { get; set; }

    /// <summary>Starts a new flight (the previous one was answered).</summary>
    public void Begin() => _messages.Clear();

    /// <summary>Adds a handshake message with the next message_seq and appends it (unfragmented) to <paramref name="transcript"/>.</summary>
    public void AddHandshake(DtlsHandshakeType type, ReadOnlySpan<byte> body, DtlsTranscript transcript, ushort epoch = 0)
    {
        var message = new byte[DtlsHandshakeHeader.Size + body.Length];
        DtlsHandshakeHeader.Write(message, type, body.Length, NextSendSequence++, 0, body.Length);
        body.CopyTo(message.AsSpan(DtlsHandshakeHeader.Size));
        transcript.TryAppendMessage(message);
        _messages.Add(new Message(DtlsContentType.Handshake, epoch, message));
    }

    /// <summary>Adds the ChangeCipherSpec (epoch 0; what follows is sent under epoch 1).</summary>
    public void AddChangeCipherSpec() => _messages.Add(new Message(DtlsContentType.ChangeCipherSpec, 0, [DtlsCodePoint.ChangeCipherSpec]));

    /// <summary>One message of a flight: a whole handshake message (header + body) or a ChangeCipherSpec.</summary>
    internal sealed record Message(DtlsContentType ContentType, ushort Epoch, byte[] Data);
}
