using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// The comparison in a <see cref="ChannelNameCondition"/> (AWS shape <c>ComparisonOperator</c>).
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<ComparisonOperator>))]
public readonly struct ComparisonOperator : IEquatable<ComparisonOperator>, IWireConstant<ComparisonOperator>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public ComparisonOperator(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>BEGINS_WITH</c>: the channel name starts with the comparison value.</summary>
    public static ComparisonOperator BeginsWith { get; } = new("BEGINS_WITH");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(ComparisonOperator left, ComparisonOperator right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(ComparisonOperator left, ComparisonOperator right) => !left.Equals(right);

    /// <inheritdoc />
    static ComparisonOperator IWireConstant<ComparisonOperator>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(ComparisonOperator other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ComparisonOperator other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
