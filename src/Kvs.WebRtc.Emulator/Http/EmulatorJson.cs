using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;
using Kvs.WebRtc.Signaling.ControlPlane;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// JSON for request and response bodies, built on the control plane's <see cref="KinesisVideoJson.Options"/>: member names match
/// case-insensitively, unknown members are ignored, <c>required</c> members are checked by the handlers (so a
/// missing member becomes a clear InvalidArgumentException), and an empty body reads as <c>{}</c>.
/// </summary>
internal static class EmulatorJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    /// <summary>Reads a request; throws InvalidArgumentException for anything that is not a JSON object of the shape.</summary>
    public static T Read<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        var typeInfo = (JsonTypeInfo<T>)s_options.GetTypeInfo(typeof(T));
        var trimmed = body.Trim(" \t\r\n"u8);
        try
        {
            return (trimmed.IsEmpty ? null : JsonSerializer.Deserialize(trimmed, typeInfo))
                ?? JsonSerializer.Deserialize("{}"u8, typeInfo)!;
        }
        catch (JsonException)
        {
            throw AwsServiceError.InvalidArgument("The request body is not a valid JSON object for this operation.");
        }
        catch (ArgumentException)
        {
            // Wire constants reject empty strings with ArgumentException.
            throw AwsServiceError.InvalidArgument("The request body holds an invalid value.");
        }
    }

    /// <summary>Serialises a response.</summary>
    public static byte[] Write<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)s_options.GetTypeInfo(typeof(T)));

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(KinesisVideoJson.Options)
        {
            PropertyNameCaseInsensitive = true,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(KinesisVideoJson.Options.TypeInfoResolver, MediaStorageJsonContext.Default)
                .WithAddedModifier(static typeInfo =>
                {
                    foreach (var property in typeInfo.Properties)
                    {
                        property.IsRequired = false;
                    }
                }),
        };
        options.MakeReadOnly();
        return options;
    }
}
