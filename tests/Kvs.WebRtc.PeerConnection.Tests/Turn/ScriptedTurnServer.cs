using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.PeerConnection.Turn;

namespace Kvs.WebRtc.PeerConnection.Tests.Turn;

/// <summary>A request the fake server saw, decoded.</summary>
internal sealed record SeenRequest(
    StunMethod Method,
    TransactionId Id,
    string? Username,
    string? Realm,
    string? Nonce,
    bool HasIntegrity,
    bool IntegrityValid,
    TimeSpan? Lifetime,
    IPEndPoint? Peer,
    ushort? Channel,
    byte[] Raw);

/// <summary>Builds server messages for the sans-IO TURN session tests (the test scripts the answers).</summary>
internal sealed class ScriptedTurnServer
{
    public const string Username = "alice";
    public const string Password = "s3cret";
    public const string RealmName = "example.org";

    public static readonly IPEndPoint Relayed = new(IPAddress.Parse("192.0.2.15"), 50000);
    public static readonly IPEndPoint Mapped = new(IPAddress.Parse("198.51.100.7"), 40000);

    public byte[] Key { get; set; } = StunIntegrity.LongTermKey(Username, RealmName, Password);

    public static SeenRequest Decode(ReadOnlyMemory<byte> bytes, byte[] key)
    {
        if (!StunMessage.TryParse(bytes.Span, out var message, out var error))
        {
            throw new InvalidOperationException("client sent an invalid message: " + error);
        }

        string? username = message.TryGetString(StunAttributeType.Username, out var u) ? u : null;
        string? realm = message.TryGetString(StunAttributeType.Realm, out var r) ? r : null;
        string? nonce = message.TryGetString(StunAttributeType.Nonce, out var n) ? n : null;
        TimeSpan? lifetime = message.TryGetLifetime(out var l) ? l : null;
        IPEndPoint? peer = message.TryGetXorAddress(StunAttributeType.XorPeerAddress, out var p) ? p : null;
        ushort? channel = message.TryGetChannelNumber(out var c) ? c : null;
        return new SeenRequest(message.Method, message.TransactionId, username, realm, nonce, message.HasMessageIntegrity,
            message.VerifyMessageIntegrity(key), lifetime, peer, channel, bytes.ToArray());
    }

    public byte[] Unauthorized(SeenRequest request, string nonce) =>
        Error(request, 401, "Unauthorized", nonce, withIntegrity: false);

    public byte[] StaleNonce(SeenRequest request, string nonce) =>
        Error(request, 438, "Stale Nonce", nonce, withIntegrity: false);

    public byte[] Error(SeenRequest request, int code, string reason, string? nonce = null, bool withIntegrity = true)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, new StunMessageType(request.Method, StunClass.ErrorResponse), request.Id);
        writer.AddErrorCode(code, reason);
        if (nonce is not null)
        {
            writer.AddString(StunAttributeType.Realm, RealmName);
            writer.AddString(StunAttributeType.Nonce, nonce);
        }

        if (withIntegrity)
        {
            writer.AddMessageIntegrity(Key);
        }

        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    public byte[] AllocateSuccess(SeenRequest request, TimeSpan lifetime, byte[]? key = null)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.SuccessResponse), request.Id);
        writer.AddXorAddress(StunAttributeType.XorRelayedAddress, Relayed);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, Mapped);
        writer.AddLifetime(lifetime);
        writer.AddMessageIntegrity(key ?? Key);
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    public byte[] Success(SeenRequest request, TimeSpan? lifetime = null)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, new StunMessageType(request.Method, StunClass.SuccessResponse), request.Id);
        if (lifetime is { } l)
        {
            writer.AddLifetime(l);
        }

        writer.AddMessageIntegrity(Key);
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    public static byte[] DataIndication(IPEndPoint peer, byte[] payload)
    {
        var buffer = new byte[2048];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), TransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, peer);
        writer.AddAttribute(StunAttributeType.Data, payload);
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    public static TurnClientSession NewSession(Func<TurnClientOptions, TurnClientOptions>? configure = null)
    {
        var options = new TurnClientOptions { Username = Username, Password = Password };
        return new TurnClientSession(configure is null ? options : configure(options));
    }

    /// <summary>Polls exactly one transmit; throws when there is none or more than one.</summary>
    public SeenRequest Single(TurnClientSession session)
    {
        if (!session.TryPollTransmit(out var bytes))
        {
            throw new InvalidOperationException("the client sent nothing");
        }

        if (session.TryPollTransmit(out _))
        {
            throw new InvalidOperationException("the client sent more than one message");
        }

        return Decode(bytes, Key);
    }

    /// <summary>Polls every pending transmit.</summary>
    public List<SeenRequest> All(TurnClientSession session)
    {
        var all = new List<SeenRequest>();
        while (session.TryPollTransmit(out var bytes))
        {
            all.Add(Decode(bytes, Key));
        }

        return all;
    }

    /// <summary>Answers every pending request with success; returns them.</summary>
    public List<SeenRequest> AnswerAll(TurnClientSession session, TimeSpan now)
    {
        var all = All(session);
        foreach (var request in all)
        {
            session.HandleInput(Success(request), now, out _, out _);
        }

        return all;
    }

    /// <summary>Runs the 401 flow to an allocation with the given lifetime.</summary>
    public void Allocate(TurnClientSession session, TimeSpan now, TimeSpan lifetime)
    {
        session.StartAllocate(now);
        var first = Single(session);
        session.HandleInput(Unauthorized(first, "nonce-1"), now, out _, out _);
        var second = Single(session);
        session.HandleInput(AllocateSuccess(second, lifetime), now, out _, out _);
        while (session.TryPollEvent(out _))
        {
        }
    }
}
