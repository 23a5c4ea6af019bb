using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// The lifecycle status of a signaling channel (AWS shape <c>Status</c>).
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<ChannelStatus>))]
public readonly struct ChannelStatus : IEquatable<ChannelStatus>, IWireConstant<ChannelStatus>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public ChannelStatus(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>CREATING</c>: being created.</summary>
    public static ChannelStatus Creating { get; } = new("CREATING");

    /// <summary><c>ACTIVE</c>: ready for use.</summary>
    public static ChannelStatus Active { get; } = new("ACTIVE");

    /// <summary><c>UPDATING</c>: an update is in progress.</summary>
    public static ChannelStatus Updating { get; } = new("UPDATING");

    /// <summary><c>DELETING</c>: being deleted; do not connect.</summary>
    public static ChannelStatus Deleting { get; } = new("DELETING");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(ChannelStatus left, ChannelStatus right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(ChannelStatus left, ChannelStatus right) => !left.Equals(right);

    /// <inheritdoc />
    static ChannelStatus IWireConstant<ChannelStatus>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(ChannelStatus other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
