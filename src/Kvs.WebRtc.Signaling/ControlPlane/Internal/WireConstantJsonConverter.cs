using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>Reads and writes a <see cref="IWireConstant{TSelf}"/> as a JSON string.</summary>
/// <typeparam name="T">The constant type.</typeparam>
internal sealed class WireConstantJsonConverter<T> : JsonConverter<T>
    where T : struct, IWireConstant<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string for {typeof(T).Name}, found {reader.TokenType}.");
        }

        var value = reader.GetString();
        if (string.IsNullOrEmpty(value))
        {
            throw new JsonException($"An empty string is not a valid {typeof(T).Name}.");
        }

        return T.FromWire(value);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}
