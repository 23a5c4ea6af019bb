using System.Text.Json.Serialization;

namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>
/// The JSON body of an AWS rest-json error, for servers that produce one (the emulator). Clients do not use it:
/// they parse error bodies leniently. Most shapes carry <c>Message</c>; the signaling
/// <c>InvalidClientException</c> and <c>SessionExpiredException</c> and auth failures carry <c>message</c>.
/// </summary>
internal sealed class ServiceErrorBody
{
    /// <summary>The capitalised message member.</summary>
    [JsonPropertyName("Message")]
    public string? Message { get; init; }

    /// <summary>The lower-case message member.</summary>
    [JsonPropertyName("message")]
    public string? LowerCaseMessage { get; init; }

    /// <summary>The optional error type (<c>__type</c>), e.g. <c>ResourceNotFoundException</c>.</summary>
    [JsonPropertyName("__type")]
    public string? Type { get; init; }
}
