using System.Text.Json;
using System.Text.Json.Serialization;
using Kvs.WebRtc.Signaling.IceServers;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// An <see cref="IceServer"/> on the KVS wire (GetIceServerConfig): <c>{"Uris":[…],"Username":…,"Password":…,"Ttl":seconds}</c>.
/// Names match case-insensitively, unknown members are skipped, a TTL that is absent or not positive reads as none; a
/// server without URIs is invalid JSON for this type (the response is then refused as invalid).
/// </summary>
internal sealed class IceServerJsonConverter : JsonConverter<IceServer>
{
    private static readonly string[] s_members = ["Uris", "Username", "Password", "Ttl"];

    /// <inheritdoc />
    public override IceServer? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An ICE server is not a JSON object.");
        }

        List<string>? uris = null;
        string? username = null, password = null;
        TimeSpan? ttl = null;
        while (JsonMemberReader.NextMember(ref reader, s_members, out var index))
        {
            switch (index)
            {
                case 0 when reader.TokenType == JsonTokenType.StartArray:
                    uris = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        uris.Add(reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty);
                    }

                    break;
                case 1:
                    username = ReadString(ref reader, "Username");
                    break;
                case 2:
                    password = ReadString(ref reader, "Password");
                    break;
                case 3 when reader.TokenType == JsonTokenType.Number:
                    ttl = reader.TryGetInt64(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue)) : null;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (uris is not { Count: > 0 } || uris.Any(string.IsNullOrWhiteSpace))
        {
            throw new JsonException("An ICE server has no URIs.");
        }

        return new IceServer(uris, username, password, ttl);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IceServer value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteStartArray("Uris"u8);
        foreach (var uri in value.Urls)
        {
            writer.WriteStringValue(uri);
        }

        writer.WriteEndArray();
        if (value.Username is not null)
        {
            writer.WriteString("Username"u8, value.Username);
        }

        if (value.Credential is not null)
        {
            writer.WriteString("Password"u8, value.Credential);
        }

        if (value.Ttl is { } ttl)
        {
            writer.WriteNumber("Ttl"u8, (long)ttl.TotalSeconds);
        }

        writer.WriteEndObject();
    }

    private static string? ReadString(ref Utf8JsonReader reader, string member) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"'{member}' of an ICE server is not a string."),
    };
}
