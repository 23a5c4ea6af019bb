using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// The role a client plays on a signaling channel (AWS shape <c>ChannelRole</c>).
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<ChannelRole>))]
public readonly struct ChannelRole : IEquatable<ChannelRole>, IWireConstant<ChannelRole>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public ChannelRole(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>MASTER</c>: the one client that answers the viewers' offers (a camera, a device).</summary>
    public static ChannelRole Master { get; } = new("MASTER");

    /// <summary><c>VIEWER</c>: a client that sends offers to the master.</summary>
    public static ChannelRole Viewer { get; } = new("VIEWER");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(ChannelRole left, ChannelRole right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(ChannelRole left, ChannelRole right) => !left.Equals(right);

    /// <inheritdoc />
    static ChannelRole IWireConstant<ChannelRole>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(ChannelRole other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelRole other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
