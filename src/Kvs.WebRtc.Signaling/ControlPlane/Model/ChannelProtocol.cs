using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// A protocol whose per-channel endpoint GetSignalingChannelEndpoint returns (AWS shape <c>ChannelProtocol</c>).
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<ChannelProtocol>))]
public readonly struct ChannelProtocol : IEquatable<ChannelProtocol>, IWireConstant<ChannelProtocol>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public ChannelProtocol(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>WSS</c>: the WebSocket signaling endpoint.</summary>
    public static ChannelProtocol Wss { get; } = new("WSS");

    /// <summary><c>HTTPS</c>: the HTTPS endpoint for GetIceServerConfig and SendAlexaOfferToMaster.</summary>
    public static ChannelProtocol Https { get; } = new("HTTPS");

    /// <summary><c>WEBRTC</c>: the WebRTC ingestion (storage) endpoint; only for channels with media storage enabled.</summary>
    public static ChannelProtocol WebRtc { get; } = new("WEBRTC");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(ChannelProtocol left, ChannelProtocol right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(ChannelProtocol left, ChannelProtocol right) => !left.Equals(right);

    /// <inheritdoc />
    static ChannelProtocol IWireConstant<ChannelProtocol>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(ChannelProtocol other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelProtocol other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
