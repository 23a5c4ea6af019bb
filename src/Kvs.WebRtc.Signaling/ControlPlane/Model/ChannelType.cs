using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// The type of a signaling channel (AWS shape <c>ChannelType</c>).
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<ChannelType>))]
public readonly struct ChannelType : IEquatable<ChannelType>, IWireConstant<ChannelType>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public ChannelType(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>SINGLE_MASTER</c>: one master, up to 10 viewers (the only type the service supports).</summary>
    public static ChannelType SingleMaster { get; } = new("SINGLE_MASTER");

    /// <summary><c>FULL_MESH</c>: reserved by the service model; not supported.</summary>
    public static ChannelType FullMesh { get; } = new("FULL_MESH");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(ChannelType left, ChannelType right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(ChannelType left, ChannelType right) => !left.Equals(right);

    /// <inheritdoc />
    static ChannelType IWireConstant<ChannelType>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(ChannelType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
