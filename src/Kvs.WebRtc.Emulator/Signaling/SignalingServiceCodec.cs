using System.Buffers;
using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>
/// The service's side of the signaling wire, which only the emulator speaks: decodes client → service frames and
/// encodes service → client frames (<c>{"messageType","messagePayload","senderClientId","statusResponse"}</c>, absent
/// members omitted, <c>statusCode</c> a string). Decoding is as lenient as the service (spec 5.2): names match
/// case-insensitively, unknown members (C SDK <c>IceServerList</c>, Android <c>senderClientId</c>) are ignored, empty
/// strings are absent. The shared pieces (payloads, member reader, base64, names) come from <c>src/Shared</c>; see
/// docs/architecture.md ("Signaling wire codecs").
/// </summary>
internal static class SignalingServiceCodec
{
    private const int Action = 0, RecipientClientId = 1, MessagePayload = 2, CorrelationId = 3;

    private static readonly string[] s_clientFrameMembers = ["action", "recipientClientId", "messagePayload", "correlationId"];

    /// <summary>Encodes a service → client frame. Null members are omitted; <c>statusCode</c> is a string.</summary>
    /// <exception cref="ArgumentException"><paramref name="messageType"/> is null or empty.</exception>
    internal static string EncodeFrame(string messageType, string? senderClientId, string? messagePayload, StatusResponse? status)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        var scratch = CodecScratch.Rent();
        try
        {
            WriteFrame(scratch, messageType, senderClientId, messagePayload, status);
            return Encoding.UTF8.GetString(scratch.Frame.WrittenSpan);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>As <see cref="EncodeFrame"/>, into a rented array (return it to <see cref="ArrayPool{T}.Shared"/>).</summary>
    internal static byte[] EncodeFrameUtf8(string messageType, string? senderClientId, string? messagePayload, StatusResponse? status, out int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        var scratch = CodecScratch.Rent();
        try
        {
            WriteFrame(scratch, messageType, senderClientId, messagePayload, status);
            return scratch.Frame.ToRentedArray(out length);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>
    /// Decodes a client → service frame; requires <c>action</c> and <c>messagePayload</c>. On failure
    /// <paramref name="frame"/> still holds what was read (e.g. the correlation id, so the server can answer with a
    /// STATUS_RESPONSE). Never throws on bad input; the reason never echoes the frame.
    /// </summary>
    internal static bool TryDecodeFrame(ReadOnlySpan<byte> utf8Json, out ClientFrame frame, out string? error)
    {
        var storage = default(MemberValues);
        Span<string?> values = storage[..4];
        error = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, JsonMemberReader.Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The frame is not a JSON object.";
            }
            else
            {
                error = JsonMemberReader.ReadScalarMembers(ref reader, s_clientFrameMembers, values);
                if (error is null)
                {
                    JsonMemberReader.ReadToEnd(ref reader);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The frame is not valid JSON.";
        }

        if (error is null && values[Action] is null)
        {
            error = "The frame has no 'action'.";
        }
        else if (error is null && values[MessagePayload] is null)
        {
            error = "The frame has no 'messagePayload'.";
        }

        frame = new ClientFrame(values[Action] ?? string.Empty, values[RecipientClientId], values[MessagePayload] ?? string.Empty, values[CorrelationId]);
        return error is null;
    }

    private static void WriteFrame(CodecScratch scratch, string messageType, string? senderClientId, string? messagePayload, StatusResponse? status)
    {
        var writer = scratch.Start(scratch.Frame);
        writer.WriteStartObject();
        writer.WriteString("messageType"u8, messageType);
        if (!string.IsNullOrEmpty(messagePayload))
        {
            writer.WriteString("messagePayload"u8, messagePayload);
        }

        if (!string.IsNullOrEmpty(senderClientId))
        {
            writer.WriteString("senderClientId"u8, senderClientId);
        }

        if (status is not null)
        {
            writer.WriteStartObject("statusResponse"u8);
            WriteOptional(writer, "correlationId"u8, status.CorrelationId);
            WriteOptional(writer, "errorType"u8, status.ErrorType);
            WriteOptional(writer, "statusCode"u8, status.StatusCode);
            WriteOptional(writer, "description"u8, status.Description);
            if (status.Success is { } success)
            {
                writer.WriteBoolean("success"u8, success);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
