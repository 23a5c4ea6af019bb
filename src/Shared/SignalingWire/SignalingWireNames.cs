namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The wire names of signaling message types (<c>SDP_OFFER</c>, ...) and their mapping to
/// <see cref="SignalingMessageType"/>. Compiled into the client and the emulator from <c>src/Shared</c>.
/// </summary>
internal static class SignalingWireNames
{
    public const string SdpOffer = "SDP_OFFER";
    public const string SdpAnswer = "SDP_ANSWER";
    public const string IceCandidate = "ICE_CANDIDATE";
    public const string StatusResponse = "STATUS_RESPONSE";
    public const string GoAway = "GO_AWAY";
    public const string ReconnectIceServer = "RECONNECT_ICE_SERVER";

    /// <summary>The wire name of a message type; null for <see cref="SignalingMessageType.Unknown"/>.</summary>
    public static string? Of(SignalingMessageType type) => type switch
    {
        SignalingMessageType.SdpOffer => SdpOffer,
        SignalingMessageType.SdpAnswer => SdpAnswer,
        SignalingMessageType.IceCandidate => IceCandidate,
        SignalingMessageType.StatusResponse => StatusResponse,
        SignalingMessageType.GoAway => GoAway,
        SignalingMessageType.ReconnectIceServer => ReconnectIceServer,
        _ => null,
    };

    /// <summary>Maps a wire name (case-insensitive) to a message type; <see cref="SignalingMessageType.Unknown"/> otherwise.</summary>
    public static SignalingMessageType Parse(string? wireName)
    {
        if (string.IsNullOrEmpty(wireName))
        {
            return SignalingMessageType.Unknown;
        }

        for (var type = SignalingMessageType.SdpOffer; type <= SignalingMessageType.ReconnectIceServer; type++)
        {
            if (Of(type) is { } name && wireName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        return SignalingMessageType.Unknown;
    }
}
