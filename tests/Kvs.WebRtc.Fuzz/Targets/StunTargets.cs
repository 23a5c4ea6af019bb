using System.Text;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.PeerConnection.Turn;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>STUN/TURN messages, TURN ChannelData, ICE candidate lines and ICE server URIs.</summary>
internal static class StunTargets
{
    private static readonly StunIntegrityKey s_shortTermKey = StunIntegrityKey.FromShortTermPassword("fuzzpassword0123456789ab");
    private static readonly StunIntegrityKey s_longTermKey = StunIntegrityKey.FromLongTermCredentials("user", "realm", "pass");

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("stun", "StunMessage.TryParse, every attribute accessor, integrity and fingerprint checks, the demux", Stun);
        yield return new("turn-channeldata", "TurnChannelData.TryParse (RFC 8656 ChannelData framing)", ChannelData);
        yield return new("ice-candidate", "IceCandidate.TryParse on a candidate line (UTF-8)", Candidate);
        yield return new("ice-server-uri", "IceServerUri.TryParse on a stun:/turn:/turns: URI (UTF-8)", ServerUri);
    }

    private static void Stun(byte[] data)
    {
        _ = PacketDemux.Classify(data);
        _ = StunMessage.IsStun(data);
        if (!StunMessage.TryParse(data, out var message, out _))
        {
            return;
        }

        _ = message.Type;
        _ = message.TransactionId;
        foreach (var attribute in message.GetAttributes())
        {
            _ = attribute.Type;
            _ = attribute.Value.Length;
            _ = attribute.IsComprehensionRequired;
        }

        _ = message.TryGetString(StunAttributeType.Username, out _);
        _ = message.TryGetString(StunAttributeType.Realm, out _);
        _ = message.TryGetString(StunAttributeType.Nonce, out _);
        _ = message.TryGetString(StunAttributeType.Software, out _);
        _ = message.TryGetUInt32(StunAttributeType.Priority, out _);
        _ = message.TryGetUInt64(StunAttributeType.IceControlling, out _);
        _ = message.TryGetUInt64(StunAttributeType.IceControlled, out _);
        _ = message.TryGetXorAddress(StunAttributeType.XorMappedAddress, out _);
        _ = message.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out _);
        _ = message.TryGetXorAddress(StunAttributeType.XorPeerAddress, out _);
        _ = message.TryGetAddress(StunAttributeType.MappedAddress, out _);
        _ = message.TryGetErrorCode(out _, out _);
        _ = message.TryGetLifetime(out _);
        _ = message.TryGetChannelNumber(out _);
        _ = message.TryGetRequestedTransport(out _);
        Span<ushort> unknown = stackalloc ushort[16];
        _ = message.GetUnknownAttributes(unknown);
        _ = message.GetUnknownComprehensionRequired(unknown);
        _ = message.HasUnknownComprehensionRequired;
        _ = message.VerifyFingerprint();
        _ = message.VerifyMessageIntegrity(s_shortTermKey);
        _ = message.VerifyMessageIntegrity(s_longTermKey);
        _ = message.VerifyMessageIntegritySha256(s_longTermKey);
        _ = IceStunMessage.TryParse(data, out _);
    }

    private static void ChannelData(byte[] data)
    {
        if (TurnChannelData.TryParse(data, out var channel, out var payload))
        {
            _ = TurnChannelData.IsValidChannel(channel);
            _ = payload.Length;
        }
    }

    private static void Candidate(byte[] data)
    {
        var line = Encoding.UTF8.GetString(data);
        if (IceCandidate.TryParse(line, out var candidate, out _) && candidate is not null)
        {
            _ = candidate.ToString();
        }
    }

    private static void ServerUri(byte[] data)
    {
        if (IceServerUri.TryParse(Encoding.UTF8.GetString(data), out var uri) && uri is not null)
        {
            _ = uri.ToString();
            _ = uri.TryGetUdpStunEndPoint();
        }
    }
}
