using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>Writes rest-json responses: the common headers, JSON bodies and AWS error responses.</summary>
internal static class AwsResponseWriter
{
    /// <summary>The documentation namespace suffix of <c>x-amzn-ErrorType</c> for the control plane.</summary>
    public const string ControlPlaneErrorNamespace = "https://kinesisvideo.amazonaws.com/doc/2017-09-30/";

    /// <summary>The documentation namespace suffix of <c>x-amzn-ErrorType</c> for the signaling HTTPS API.</summary>
    public const string SignalingErrorNamespace = "https://kinesisvideo.amazonaws.com/doc/2019-12-04/";

    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = false };

    /// <summary>Sets <c>Date</c> (from the emulator clock) and <c>x-amzn-RequestId</c>; returns the request id.</summary>
    public static string SetCommonHeaders(HttpResponse response, DateTimeOffset now)
    {
        var requestId = Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        response.Headers["x-amzn-RequestId"] = requestId;
        response.Headers.Date = now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
        return requestId;
    }

    /// <summary>Writes a 200 response with <paramref name="value"/> as JSON.</summary>
    public static async Task WriteJsonAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes an error response: status, <c>x-amzn-ErrorType</c>, and a body with <c>Message</c> or <c>message</c>.</summary>
    public static Task WriteErrorAsync(HttpResponse response, AwsServiceError error, string errorNamespace, CancellationToken cancellationToken) =>
        WriteErrorAsync(response, error.StatusCode, error.ErrorType, error.Message, error.LowerCaseMessageMember, errorNamespace, cancellationToken);

    /// <summary>Writes an error response: status, <c>x-amzn-ErrorType</c>, and a body with <c>Message</c> or <c>message</c>.</summary>
    public static async Task WriteErrorAsync(HttpResponse response, HttpStatusCode statusCode, string errorType, string message, bool lowerCaseMessageMember, string? errorNamespace, CancellationToken cancellationToken)
    {
        response.StatusCode = (int)statusCode;
        response.ContentType = "application/json";
        response.Headers["x-amzn-ErrorType"] = errorNamespace is null ? errorType : errorType + ":" + errorNamespace;
        var bytes = EncodeErrorBody(message, lowerCaseMessageMember);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes <c>{"Message":"..."}</c> or <c>{"message":"..."}</c>.</summary>
    public static byte[] EncodeErrorBody(string message, bool lowerCaseMessageMember)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(lowerCaseMessageMember ? "message" : "Message", message);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
