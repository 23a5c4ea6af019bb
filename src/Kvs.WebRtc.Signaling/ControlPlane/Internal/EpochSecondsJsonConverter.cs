using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// AWS rest-json timestamps: a JSON number of seconds since the Unix epoch, with a fractional part
/// (e.g. <c>1712136149.494</c> or <c>1.712136149494E9</c>). Writes millisecond precision. For
/// tolerance, reading also accepts such a number inside a string, or an ISO-8601 string.
/// </summary>
internal sealed class EpochSecondsJsonConverter : JsonConverter<DateTimeOffset>
{
    // Max DateTimeOffset is year 9999; anything beyond cannot be represented.
    private const double MaxEpochSeconds = 253_402_300_799d;
    private const double MinEpochSeconds = -62_135_596_800d;

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return FromSeconds(reader.GetDouble());
            case JsonTokenType.String:
                var text = reader.GetString();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                {
                    return FromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return parsed;
                }

                throw new JsonException("A timestamp string is neither epoch seconds nor ISO-8601.");
            default:
                throw new JsonException($"Expected a number of epoch seconds for a timestamp, found {reader.TokenType}.");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var milliseconds = value.ToUnixTimeMilliseconds();
        writer.WriteNumberValue(decimal.Divide(milliseconds, 1000m));
    }

    private static DateTimeOffset FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds is < MinEpochSeconds or > MaxEpochSeconds)
        {
            throw new JsonException("A timestamp is outside the representable range.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000d, MidpointRounding.AwayFromZero));
    }
}
