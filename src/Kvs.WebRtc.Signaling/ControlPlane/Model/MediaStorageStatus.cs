using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// Whether a channel's media is stored into a Kinesis video stream (WebRTC ingestion), AWS shape <c>MediaStorageConfigurationStatus</c>.
/// </summary>
/// <remarks>
/// A string-backed value rather than a C# <see langword="enum"/>, so that values added by the service later
/// survive a round trip. Equality ignores case (ordinal). The <see langword="default"/> value has an empty
/// <see cref="Value"/> and is never sent.
/// </remarks>
[JsonConverter(typeof(WireConstantJsonConverter<MediaStorageStatus>))]
public readonly struct MediaStorageStatus : IEquatable<MediaStorageStatus>, IWireConstant<MediaStorageStatus>
{
    private readonly string? _value;

    /// <summary>Wraps a wire value, e.g. one this SDK does not list yet.</summary>
    /// <param name="value">The value exactly as on the wire; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public MediaStorageStatus(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary><c>ENABLED</c>: the master joins the storage session and its media is recorded into the stream.</summary>
    public static MediaStorageStatus Enabled { get; } = new("ENABLED");

    /// <summary><c>DISABLED</c>: no media storage (the default).</summary>
    public static MediaStorageStatus Disabled { get; } = new("DISABLED");

    /// <summary>The value exactly as it appears on the wire (empty for <see langword="default"/>).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator ==(MediaStorageStatus left, MediaStorageStatus right) => left.Equals(right);

    /// <summary>Compares two values, ignoring case.</summary>
    public static bool operator !=(MediaStorageStatus left, MediaStorageStatus right) => !left.Equals(right);

    /// <inheritdoc />
    static MediaStorageStatus IWireConstant<MediaStorageStatus>.FromWire(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(MediaStorageStatus other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MediaStorageStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
