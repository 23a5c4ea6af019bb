using System.Text.Json;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// The JSON of the KVS control-plane wire format (rest-json) for the request and response types of this namespace:
/// member names as the service spells them, absent members omitted, times as epoch seconds. Built from generated
/// metadata, so it needs no reflection (trimming- and AOT-safe).
/// </summary>
/// <remarks>
/// Use it to serialize the model types the way the service expects, for example in a test double of the service (the
/// KVS emulator builds its request parsing on it).
/// </remarks>
public static class KinesisVideoJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    /// <summary>Read-only serializer options with the metadata of every model type of this namespace.</summary>
    public static JsonSerializerOptions Options => s_options;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(KinesisVideoJsonContext.Default.Options);
        options.MakeReadOnly();
        return options;
    }
}
