using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The device's side of the signaling wire: encodes client → service frames and decodes service → client frames.
/// The service's side lives in the emulator (<c>SignalingServiceCodec</c>); payloads are
/// <see cref="SignalingPayloadCodec"/>. See docs/architecture.md ("Signaling wire codecs").
/// </summary>
/// <remarks>
/// <para>Encoding is canonical and compact, byte-identical to the KVS JS SDK:
/// <c>{"action","messagePayload","recipientClientId","correlationId"}</c>, absent members omitted.</para>
/// <para>Decoding is lenient, as the service is (spec 5.2, 5.3): member names match case-insensitively, unknown members
/// are ignored, empty strings count as absent. It never throws on bad input; it reports a typed status and a message
/// that never echoes the frame. Thread-safe.</para>
/// </remarks>
internal static class SignalingClientCodec
{
    private const int MessageType = 0, SenderClientId = 1, MessagePayload = 2, StatusResponseMember = 3;
    private const int CorrelationId = 0, ErrorType = 1, StatusCode = 2, Description = 3, Success = 4;

    private static readonly string[] s_frameMembers = ["messageType", "senderClientId", "messagePayload", "statusResponse"];
    private static readonly string[] s_statusMembers = ["correlationId", "errorType", "statusCode", "description", "success"];

    /// <summary>Encodes a client → service frame whose payload is already base64.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="action"/> is not an offer, answer or candidate.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="messagePayloadBase64"/> is null.</exception>
    internal static string EncodeFrame(SignalingMessageType action, string messagePayloadBase64, string? recipientClientId, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(messagePayloadBase64);
        var name = GetActionName(action);
        var scratch = CodecScratch.Rent();
        try
        {
            var writer = scratch.Start(scratch.Frame);
            writer.WriteStartObject();
            writer.WriteString("action"u8, name);
            writer.WriteString("messagePayload"u8, messagePayloadBase64);
            WriteFrameTail(writer, recipientClientId, correlationId);
            writer.Flush();
            return Encoding.UTF8.GetString(scratch.Frame.WrittenSpan);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>
    /// Encodes a client → service frame carrying an SDP payload into a rented array (return it to
    /// <see cref="ArrayPool{T}.Shared"/>). The payload JSON is base64-encoded straight into the frame.
    /// </summary>
    internal static byte[] EncodeFrameUtf8(SignalingMessageType action, SessionDescriptionPayload payload, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var name = GetActionName(action);
        var scratch = CodecScratch.Rent();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            SignalingPayloadCodec.WriteSdpJson(writer, payload);
            writer.Flush();
            return FinishFrame(scratch, name, recipientClientId, correlationId, out length, out payloadBase64Length);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>As <see cref="EncodeFrameUtf8(SignalingMessageType, SessionDescriptionPayload, string?, string?, out int, out int)"/> for an ICE candidate.</summary>
    internal static byte[] EncodeFrameUtf8(IceCandidatePayload payload, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var scratch = CodecScratch.Rent();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            SignalingPayloadCodec.WriteIceCandidateJson(writer, payload);
            writer.Flush();
            return FinishFrame(scratch, SignalingWireNames.IceCandidate, recipientClientId, correlationId, out length, out payloadBase64Length);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>Decodes a service → client frame into a message; false (with a reason) for anything else.</summary>
    internal static bool TryDecodeFrame(ReadOnlySpan<byte> utf8Json, [MaybeNullWhen(false)] out SignalingMessage message, out string? error)
    {
        var status = DecodeFrame(utf8Json, out var decoded, out error);
        message = decoded;
        return status == ServiceFrameStatus.Message && decoded is not null;
    }

    /// <summary>
    /// Decodes a service → client frame and says what it was: a message, something to ignore (non-signaling JSON,
    /// end-of-candidates marker), a malformed frame or a malformed payload. Never throws on bad input.
    /// </summary>
    internal static ServiceFrameStatus DecodeFrame(ReadOnlySpan<byte> utf8Json, out SignalingMessage? message, out string? error)
    {
        message = null;
        error = null;
        var storage = default(MemberValues);
        Span<string?> values = storage[..3];
        StatusResponse? statusResponse = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, JsonMemberReader.Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The frame is not a JSON object.";
                return ServiceFrameStatus.MalformedFrame;
            }

            while (JsonMemberReader.NextMember(ref reader, s_frameMembers, out var index))
            {
                error = index switch
                {
                    < 0 => SkipUnknown(ref reader),
                    StatusResponseMember => ReadStatusResponse(ref reader, out statusResponse),
                    _ => JsonMemberReader.ReadScalar(ref reader, s_frameMembers[index], out values[index]),
                };

                if (error is not null)
                {
                    return ServiceFrameStatus.MalformedFrame;
                }
            }

            JsonMemberReader.ReadToEnd(ref reader);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The frame is not valid JSON.";
            return ServiceFrameStatus.MalformedFrame;
        }

        if (values[MessageType] is not { } messageType)
        {
            error = "The frame has no 'messageType' (not a signaling message).";
            return ServiceFrameStatus.Ignorable;
        }

        var payload = values[MessagePayload];
        var type = SignalingWireNames.Parse(messageType);
        SessionDescriptionPayload? description = null;
        IceCandidatePayload? candidate = null;
        switch (type)
        {
            case SignalingMessageType.SdpOffer:
            case SignalingMessageType.SdpAnswer:
                {
                    var defaultType = type == SignalingMessageType.SdpOffer ? SessionDescriptionPayload.OfferType : SessionDescriptionPayload.AnswerType;
                    var payloadStatus = SignalingPayloadCodec.TryDecodeSdp(payload, defaultType, out description, out error);
                    if (payloadStatus != ServiceFrameStatus.Message)
                    {
                        return payloadStatus;
                    }

                    break;
                }

            case SignalingMessageType.IceCandidate:
                {
                    var payloadStatus = SignalingPayloadCodec.TryDecodeIceCandidate(payload, out candidate, out error);
                    if (payloadStatus != ServiceFrameStatus.Message)
                    {
                        return payloadStatus;
                    }

                    break;
                }

            case SignalingMessageType.StatusResponse when statusResponse is null:
                error = "A STATUS_RESPONSE frame has no 'statusResponse' object.";
                return ServiceFrameStatus.MalformedFrame;
        }

        message = new SignalingMessage
        {
            Type = type,
            WireMessageType = messageType,
            SenderClientId = values[SenderClientId],
            Payload = payload,
            SessionDescription = description,
            IceCandidate = candidate,
            StatusResponse = statusResponse,
        };
        return ServiceFrameStatus.Message;
    }

    private static string? SkipUnknown(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static string? ReadStatusResponse(ref Utf8JsonReader reader, out StatusResponse? status)
    {
        status = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "'statusResponse' is not an object.";
        }

        var storage = default(MemberValues);
        Span<string?> values = storage[..5];
        var error = JsonMemberReader.ReadScalarMembers(ref reader, s_statusMembers, values, prefix: "statusResponse.");
        if (error is not null)
        {
            return error;
        }

        status = new StatusResponse
        {
            CorrelationId = values[CorrelationId],
            ErrorType = values[ErrorType],
            StatusCode = values[StatusCode],
            Description = values[Description],
            Success = values[Success] is { } text && bool.TryParse(text, out var success) ? success : null,
        };
        return null;
    }

    private static string GetActionName(SignalingMessageType action) => action switch
    {
        SignalingMessageType.SdpOffer => SignalingWireNames.SdpOffer,
        SignalingMessageType.SdpAnswer => SignalingWireNames.SdpAnswer,
        SignalingMessageType.IceCandidate => SignalingWireNames.IceCandidate,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A client can send only SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE."),
    };

    private static byte[] FinishFrame(CodecScratch scratch, string actionName, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        var payloadJson = scratch.Payload.WrittenSpan;
        payloadBase64Length = LenientBase64.EncodedLength(payloadJson.Length);
        var writer = scratch.Start(scratch.Frame);
        writer.WriteStartObject();
        writer.WriteString("action"u8, actionName);
        writer.WriteBase64String("messagePayload"u8, payloadJson);
        WriteFrameTail(writer, recipientClientId, correlationId);
        writer.Flush();
        return scratch.Frame.ToRentedArray(out length);
    }

    private static void WriteFrameTail(Utf8JsonWriter writer, string? recipientClientId, string? correlationId)
    {
        if (!string.IsNullOrEmpty(recipientClientId))
        {
            writer.WriteString("recipientClientId"u8, recipientClientId);
        }

        if (!string.IsNullOrEmpty(correlationId))
        {
            writer.WriteString("correlationId"u8, correlationId);
        }

        writer.WriteEndObject();
    }
}
