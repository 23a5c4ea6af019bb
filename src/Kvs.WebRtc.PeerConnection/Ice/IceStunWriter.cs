using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// Writes the STUN messages ICE sends into a caller buffer: the write half of the ICE adapter over the shared
/// <see cref="StunMessageWriter"/>.
/// </summary>
internal ref struct IceStunWriter
{
    /// <summary>Binding request (RFC 8489 §18).</summary>
    public static StunMessageType BindingRequest => StunMessageType.BindingRequest;

    /// <summary>Binding success response.</summary>
    public static StunMessageType BindingSuccess => StunMessageType.BindingSuccess;

    /// <summary>Binding error response.</summary>
    public static StunMessageType BindingError => StunMessageType.BindingError;

    private StunMessageWriter _writer;

    /// <summary>Starts a message of <paramref name="type"/> in <paramref name="buffer"/> (at least 20 bytes).</summary>
    public IceStunWriter(Span<byte> buffer, StunMessageType type, TransactionId transactionId) =>
        _writer = new StunMessageWriter(buffer, type, transactionId);

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _writer.Length;

    /// <summary>The message written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _writer.Written;

    /// <summary>USERNAME (RFC 8489 §14.3).</summary>
    public void AddUsername(string username) => _writer.AddUsername(username);

    /// <summary>PRIORITY (RFC 8445 §16.1).</summary>
    public void AddPriority(uint priority) => _writer.AddPriority(priority);

    /// <summary>ICE-CONTROLLING (RFC 8445 §16.1).</summary>
    public void AddIceControlling(ulong tieBreaker) => _writer.AddIceControlling(tieBreaker);

    /// <summary>ICE-CONTROLLED (RFC 8445 §16.1).</summary>
    public void AddIceControlled(ulong tieBreaker) => _writer.AddIceControlled(tieBreaker);

    /// <summary>USE-CANDIDATE (RFC 8445 §16.1).</summary>
    public void AddUseCandidate() => _writer.AddUseCandidate();

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 §14.2).</summary>
    public void AddXorMappedAddress(IPEndPoint endPoint) => _writer.AddXorAddress(StunAttributeType.XorMappedAddress, endPoint);

    /// <summary>ERROR-CODE (RFC 8489 §14.8).</summary>
    public void AddErrorCode(int code, string reason) => _writer.AddErrorCode(code, reason);

    /// <summary>MESSAGE-INTEGRITY keyed with the short-term password's UTF-8 bytes.</summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key) => _writer.AddMessageIntegrity(key);

    /// <summary>FINGERPRINT; must be the last attribute.</summary>
    public void AddFingerprint() => _writer.AddFingerprint();
}
