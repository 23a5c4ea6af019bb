namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// A session description: its <see cref="Type"/> and SDP text (W3C <c>RTCSessionDescriptionInit</c>). Immutable.
/// </summary>
/// <remarks>
/// This is what travels over signaling (KVS sends it as <c>{"type":"offer","sdp":"..."}</c>). Use
/// <see cref="TypeName"/> and <see cref="ParseType"/> for the lower-case wire names.
/// </remarks>
/// <param name="Type">Offer, answer, provisional answer or rollback.</param>
/// <param name="Sdp">The SDP text (RFC 8866); empty for <see cref="RTCSdpType.Rollback"/>.</param>
public sealed record RTCSessionDescription(RTCSdpType Type, string Sdp)
{
    /// <summary>The W3C wire name of <see cref="Type"/>: <c>offer</c>, <c>pranswer</c>, <c>answer</c> or <c>rollback</c>.</summary>
    public string TypeName => ToTypeName(Type);

    /// <summary>Returns the W3C wire name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static string ToTypeName(RTCSdpType type) => type switch
    {
        RTCSdpType.Offer => "offer",
        RTCSdpType.Pranswer => "pranswer",
        RTCSdpType.Answer => "answer",
        RTCSdpType.Rollback => "rollback",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown SDP type."),
    };

    /// <summary>Parses a W3C wire name (case-insensitive) such as <c>offer</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="typeName"/> is not one of the four names.</exception>
    public static RTCSdpType ParseType(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return typeName.ToUpperInvariant() switch
        {
            "OFFER" => RTCSdpType.Offer,
            "PRANSWER" => RTCSdpType.Pranswer,
            "ANSWER" => RTCSdpType.Answer,
            "ROLLBACK" => RTCSdpType.Rollback,
            _ => throw new ArgumentException($"'{typeName}' is not an SDP type (offer, pranswer, answer, rollback).", nameof(typeName)),
        };
    }

    /// <summary>Returns the type and the SDP length (the SDP holds the ICE password, so it is not printed).</summary>
    public override string ToString() => $"RTCSessionDescription {{ Type = {TypeName}, Sdp = ({Sdp?.Length ?? 0} chars) }}";
}
