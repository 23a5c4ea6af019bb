using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// Encodes and decodes KVS signaling WebSocket frames in both directions, and the base64 JSON payloads inside them.
/// </summary>
/// <remarks>
/// <para>Encoding is canonical and compact, byte-identical to the KVS JS SDK: client frames
/// <c>{"action","messagePayload","recipientClientId","correlationId"}</c>, service frames
/// <c>{"messageType","messagePayload","senderClientId","statusResponse"}</c>, absent members omitted, payloads as
/// standard padded base64 of UTF-8 JSON (<c>{"sdp","type"}</c>, <c>{"candidate","sdpMid","sdpMLineIndex"}</c>).</para>
/// <para>Decoding is lenient, as the service is (spec 5.2, 5.3): member names match case-insensitively, unknown members
/// are ignored, empty strings count as absent, payload base64 may be standard or URL-safe, padded or not. Decoding never
/// throws on bad input; it reports a typed status and a message that never echoes the frame.</para>
/// <para>Thread-safe: scratch writers are cached per thread.</para>
/// </remarks>
internal static class SignalingFrameCodec
{
    internal const string SdpOfferName = "SDP_OFFER";
    internal const string SdpAnswerName = "SDP_ANSWER";
    internal const string IceCandidateName = "ICE_CANDIDATE";
    internal const string StatusResponseName = "STATUS_RESPONSE";
    internal const string GoAwayName = "GO_AWAY";
    internal const string ReconnectIceServerName = "RECONNECT_ICE_SERVER";

    private const int MaxRetainedScratch = 64 * 1024;
    private const int MaxNameLength = 64;

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private static readonly JsonReaderOptions s_readerOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    [ThreadStatic]
    private static Scratch? s_scratch;

    // ---------------------------------------------------------------- names

    /// <summary>The wire name of a message type (<c>SDP_OFFER</c>, ...); null for <see cref="SignalingMessageType.Unknown"/>.</summary>
    internal static string? GetWireName(SignalingMessageType type) => type switch
    {
        SignalingMessageType.SdpOffer => SdpOfferName,
        SignalingMessageType.SdpAnswer => SdpAnswerName,
        SignalingMessageType.IceCandidate => IceCandidateName,
        SignalingMessageType.StatusResponse => StatusResponseName,
        SignalingMessageType.GoAway => GoAwayName,
        SignalingMessageType.ReconnectIceServer => ReconnectIceServerName,
        _ => null,
    };

    /// <summary>Maps a wire name (case-insensitive) to a message type; <see cref="SignalingMessageType.Unknown"/> otherwise.</summary>
    internal static SignalingMessageType ParseMessageType(string? wireName)
    {
        if (string.IsNullOrEmpty(wireName))
        {
            return SignalingMessageType.Unknown;
        }

        if (wireName.Equals(SdpOfferName, StringComparison.OrdinalIgnoreCase))
        {
            return SignalingMessageType.SdpOffer;
        }

        if (wireName.Equals(SdpAnswerName, StringComparison.OrdinalIgnoreCase))
        {
            return SignalingMessageType.SdpAnswer;
        }

        if (wireName.Equals(IceCandidateName, StringComparison.OrdinalIgnoreCase))
        {
            return SignalingMessageType.IceCandidate;
        }

        if (wireName.Equals(StatusResponseName, StringComparison.OrdinalIgnoreCase))
        {
            return SignalingMessageType.StatusResponse;
        }

        if (wireName.Equals(GoAwayName, StringComparison.OrdinalIgnoreCase))
        {
            return SignalingMessageType.GoAway;
        }

        return wireName.Equals(ReconnectIceServerName, StringComparison.OrdinalIgnoreCase)
            ? SignalingMessageType.ReconnectIceServer
            : SignalingMessageType.Unknown;
    }

    private static string GetClientActionName(SignalingMessageType action) => action switch
    {
        SignalingMessageType.SdpOffer => SdpOfferName,
        SignalingMessageType.SdpAnswer => SdpAnswerName,
        SignalingMessageType.IceCandidate => IceCandidateName,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A client can send only SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE."),
    };

    // ---------------------------------------------------------------- client -> service

    /// <summary>Encodes a client → service frame whose payload is already base64.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="action"/> is not an offer, answer or candidate.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="messagePayloadBase64"/> is null.</exception>
    internal static string EncodeClientFrame(SignalingMessageType action, string messagePayloadBase64, string? recipientClientId, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(messagePayloadBase64);
        var name = GetClientActionName(action);
        var scratch = RentScratch();
        try
        {
            var writer = scratch.Start(scratch.Frame);
            writer.WriteStartObject();
            writer.WriteString("action"u8, name);
            writer.WriteString("messagePayload"u8, messagePayloadBase64);
            WriteClientFrameTail(writer, recipientClientId, correlationId);
            writer.Flush();
            return Encoding.UTF8.GetString(scratch.Frame.WrittenSpan);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>
    /// Encodes a client → service frame carrying an SDP payload into a rented array (return it to
    /// <see cref="ArrayPool{T}.Shared"/>). The payload JSON is base64-encoded straight into the frame.
    /// </summary>
    internal static byte[] EncodeClientFrameUtf8(SignalingMessageType action, SessionDescriptionPayload payload, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var name = GetClientActionName(action);
        var scratch = RentScratch();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteSdpPayloadJson(writer, payload);
            writer.Flush();
            return FinishClientFrame(scratch, name, recipientClientId, correlationId, out length, out payloadBase64Length);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>As <see cref="EncodeClientFrameUtf8(SignalingMessageType, SessionDescriptionPayload, string?, string?, out int, out int)"/> for an ICE candidate.</summary>
    internal static byte[] EncodeClientFrameUtf8(IceCandidatePayload payload, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var scratch = RentScratch();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteIceCandidatePayloadJson(writer, payload);
            writer.Flush();
            return FinishClientFrame(scratch, IceCandidateName, recipientClientId, correlationId, out length, out payloadBase64Length);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    private static byte[] FinishClientFrame(Scratch scratch, string actionName, string? recipientClientId, string? correlationId, out int length, out int payloadBase64Length)
    {
        var payloadJson = scratch.Payload.WrittenSpan;
        payloadBase64Length = Base64LengthOf(payloadJson.Length);
        var writer = scratch.Start(scratch.Frame);
        writer.WriteStartObject();
        writer.WriteString("action"u8, actionName);
        writer.WriteBase64String("messagePayload"u8, payloadJson);
        WriteClientFrameTail(writer, recipientClientId, correlationId);
        writer.Flush();
        return scratch.Frame.ToRentedArray(out length);
    }

    private static void WriteClientFrameTail(Utf8JsonWriter writer, string? recipientClientId, string? correlationId)
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

    /// <summary>
    /// Decodes a client → service frame. Member names match case-insensitively, unknown members (C SDK
    /// <c>IceServerList</c>, Android <c>senderClientId</c>) are ignored, empty strings are absent. Requires
    /// <c>action</c> and <c>messagePayload</c>. On failure <paramref name="frame"/> still holds what was read
    /// (e.g. the correlation id, so a server can answer with a STATUS_RESPONSE).
    /// </summary>
    internal static bool TryDecodeClientFrame(ReadOnlySpan<byte> utf8Json, out ClientFrame frame, out string? error)
    {
        string? action = null, recipient = null, payload = null, correlationId = null;
        error = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The frame is not a JSON object.";
            }
            else
            {
                Span<byte> nameBuffer = stackalloc byte[MaxNameLength];
                while (error is null && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = GetPropertyName(in reader, nameBuffer);
                    reader.Read();
                    if (NameIs(name, "action"u8))
                    {
                        error = ReadScalar(ref reader, "action", out action);
                    }
                    else if (NameIs(name, "recipientClientId"u8))
                    {
                        error = ReadScalar(ref reader, "recipientClientId", out recipient);
                    }
                    else if (NameIs(name, "messagePayload"u8))
                    {
                        error = ReadScalar(ref reader, "messagePayload", out payload);
                    }
                    else if (NameIs(name, "correlationId"u8))
                    {
                        error = ReadScalar(ref reader, "correlationId", out correlationId);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                if (error is null)
                {
                    ReadToEnd(ref reader);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The frame is not valid JSON.";
        }

        if (error is null && action is null)
        {
            error = "The frame has no 'action'.";
        }
        else if (error is null && payload is null)
        {
            error = "The frame has no 'messagePayload'.";
        }

        frame = new ClientFrame(action ?? string.Empty, recipient, payload ?? string.Empty, correlationId);
        return error is null;
    }

    // ---------------------------------------------------------------- service -> client

    /// <summary>Encodes a service → client frame. Null members are omitted; <c>statusCode</c> is a string.</summary>
    /// <exception cref="ArgumentException"><paramref name="messageType"/> is null or empty.</exception>
    internal static string EncodeServiceFrame(string messageType, string? senderClientId, string? messagePayload, StatusResponse? status)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        var scratch = RentScratch();
        try
        {
            WriteServiceFrame(scratch, messageType, senderClientId, messagePayload, status);
            return Encoding.UTF8.GetString(scratch.Frame.WrittenSpan);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>As <see cref="EncodeServiceFrame"/>, into a rented array (return it to <see cref="ArrayPool{T}.Shared"/>).</summary>
    internal static byte[] EncodeServiceFrameUtf8(string messageType, string? senderClientId, string? messagePayload, StatusResponse? status, out int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        var scratch = RentScratch();
        try
        {
            WriteServiceFrame(scratch, messageType, senderClientId, messagePayload, status);
            return scratch.Frame.ToRentedArray(out length);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    private static void WriteServiceFrame(Scratch scratch, string messageType, string? senderClientId, string? messagePayload, StatusResponse? status)
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

    /// <summary>Decodes a service → client frame into a message; false (with a reason) for anything else.</summary>
    internal static bool TryDecodeServiceFrame(ReadOnlySpan<byte> utf8Json, [MaybeNullWhen(false)] out SignalingMessage message, out string? error)
    {
        var status = DecodeServiceFrame(utf8Json, out var decoded, out error);
        message = decoded;
        return status == ServiceFrameStatus.Message && decoded is not null;
    }

    /// <summary>
    /// Decodes a service → client frame and says what it was: a message, something to ignore (non-signaling JSON,
    /// end-of-candidates marker), a malformed frame or a malformed payload. Never throws on bad input.
    /// </summary>
    internal static ServiceFrameStatus DecodeServiceFrame(ReadOnlySpan<byte> utf8Json, out SignalingMessage? message, out string? error)
    {
        message = null;
        error = null;
        string? messageType = null, sender = null, payload = null;
        StatusResponse? statusResponse = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The frame is not a JSON object.";
                return ServiceFrameStatus.MalformedFrame;
            }

            Span<byte> nameBuffer = stackalloc byte[MaxNameLength];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = GetPropertyName(in reader, nameBuffer);
                reader.Read();
                if (NameIs(name, "messageType"u8))
                {
                    error = ReadScalar(ref reader, "messageType", out messageType);
                }
                else if (NameIs(name, "senderClientId"u8))
                {
                    error = ReadScalar(ref reader, "senderClientId", out sender);
                }
                else if (NameIs(name, "messagePayload"u8))
                {
                    error = ReadScalar(ref reader, "messagePayload", out payload);
                }
                else if (NameIs(name, "statusResponse"u8))
                {
                    error = ReadStatusResponse(ref reader, out statusResponse);
                }
                else
                {
                    reader.Skip();
                }

                if (error is not null)
                {
                    return ServiceFrameStatus.MalformedFrame;
                }
            }

            ReadToEnd(ref reader);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The frame is not valid JSON.";
            return ServiceFrameStatus.MalformedFrame;
        }

        if (messageType is null)
        {
            error = "The frame has no 'messageType' (not a signaling message).";
            return ServiceFrameStatus.Ignorable;
        }

        var type = ParseMessageType(messageType);
        SessionDescriptionPayload? description = null;
        IceCandidatePayload? candidate = null;
        switch (type)
        {
            case SignalingMessageType.SdpOffer:
            case SignalingMessageType.SdpAnswer:
                {
                    var payloadStatus = TryDecodeSdpPayload(payload, type == SignalingMessageType.SdpOffer ? SessionDescriptionPayload.OfferType : SessionDescriptionPayload.AnswerType, out description, out error);
                    if (payloadStatus != ServiceFrameStatus.Message)
                    {
                        return payloadStatus;
                    }

                    break;
                }

            case SignalingMessageType.IceCandidate:
                {
                    var payloadStatus = TryDecodeIceCandidatePayload(payload, out candidate, out error);
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
            SenderClientId = sender,
            Payload = payload,
            SessionDescription = description,
            IceCandidate = candidate,
            StatusResponse = statusResponse,
        };
        return ServiceFrameStatus.Message;
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

        string? correlationId = null, errorType = null, statusCode = null, description = null;
        bool? success = null;
        Span<byte> nameBuffer = stackalloc byte[MaxNameLength];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = GetPropertyName(in reader, nameBuffer);
            reader.Read();
            string? error = null;
            if (NameIs(name, "correlationId"u8))
            {
                error = ReadScalar(ref reader, "statusResponse.correlationId", out correlationId);
            }
            else if (NameIs(name, "errorType"u8))
            {
                error = ReadScalar(ref reader, "statusResponse.errorType", out errorType);
            }
            else if (NameIs(name, "statusCode"u8))
            {
                error = ReadScalar(ref reader, "statusResponse.statusCode", out statusCode);
            }
            else if (NameIs(name, "description"u8))
            {
                error = ReadScalar(ref reader, "statusResponse.description", out description);
            }
            else if (NameIs(name, "success"u8))
            {
                error = ReadScalar(ref reader, "statusResponse.success", out var text);
                if (error is null && text is not null)
                {
                    success = bool.TryParse(text, out var parsed) ? parsed : null;
                }
            }
            else
            {
                reader.Skip();
            }

            if (error is not null)
            {
                return error;
            }
        }

        status = new StatusResponse
        {
            CorrelationId = correlationId,
            ErrorType = errorType,
            StatusCode = statusCode,
            Description = description,
            Success = success,
        };
        return null;
    }

    // ---------------------------------------------------------------- payloads

    /// <summary>Encodes an SDP payload: standard padded base64 of <c>{"sdp":…,"type":…}</c>.</summary>
    internal static string EncodeSdpPayload(SessionDescriptionPayload p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var scratch = RentScratch();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteSdpPayloadJson(writer, p);
            writer.Flush();
            return Convert.ToBase64String(scratch.Payload.WrittenSpan);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>Encodes an ICE candidate payload: standard padded base64 of <c>{"candidate","sdpMid","sdpMLineIndex"[,"usernameFragment"]}</c>.</summary>
    internal static string EncodeIceCandidatePayload(IceCandidatePayload p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var scratch = RentScratch();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteIceCandidatePayloadJson(writer, p);
            writer.Flush();
            return Convert.ToBase64String(scratch.Payload.WrittenSpan);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    private static void WriteSdpPayloadJson(Utf8JsonWriter writer, SessionDescriptionPayload p)
    {
        ArgumentNullException.ThrowIfNull(p.Sdp, nameof(p));
        ArgumentNullException.ThrowIfNull(p.Type, nameof(p));
        writer.WriteStartObject();
        writer.WriteString("sdp"u8, p.Sdp);
        writer.WriteString("type"u8, p.Type);
        writer.WriteEndObject();
    }

    private static void WriteIceCandidatePayloadJson(Utf8JsonWriter writer, IceCandidatePayload p)
    {
        ArgumentNullException.ThrowIfNull(p.Candidate, nameof(p));
        writer.WriteStartObject();
        writer.WriteString("candidate"u8, p.Candidate);
        if (p.SdpMid is not null)
        {
            writer.WriteString("sdpMid"u8, p.SdpMid);
        }

        if (p.SdpMLineIndex is { } index)
        {
            writer.WriteNumber("sdpMLineIndex"u8, index);
        }

        if (p.UsernameFragment is not null)
        {
            writer.WriteString("usernameFragment"u8, p.UsernameFragment);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Decodes an SDP payload (lenient base64, case-insensitive keys). A missing <c>type</c> is taken from
    /// <paramref name="defaultType"/>; a missing <c>sdp</c> is an error.
    /// </summary>
    internal static ServiceFrameStatus TryDecodeSdpPayload(string? base64, string defaultType, out SessionDescriptionPayload? payload, out string? error)
    {
        payload = null;
        if (!TryRentPayloadBytes(base64, "SDP", out var bytes, out var length, out error))
        {
            return ServiceFrameStatus.MalformedPayload;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length), s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The SDP payload is not a JSON object.";
                return ServiceFrameStatus.MalformedPayload;
            }

            string? type = null, sdp = null;
            Span<byte> nameBuffer = stackalloc byte[MaxNameLength];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = GetPropertyName(in reader, nameBuffer);
                reader.Read();
                string? fieldError = null;
                if (NameIs(name, "type"u8))
                {
                    fieldError = ReadScalar(ref reader, "type", out type);
                }
                else if (NameIs(name, "sdp"u8))
                {
                    fieldError = ReadScalar(ref reader, "sdp", out sdp, keepEmpty: true);
                }
                else
                {
                    reader.Skip();
                }

                if (fieldError is not null)
                {
                    error = "The SDP payload is malformed: " + fieldError;
                    return ServiceFrameStatus.MalformedPayload;
                }
            }

            ReadToEnd(ref reader);
            if (sdp is null)
            {
                error = "The SDP payload has no 'sdp'.";
                return ServiceFrameStatus.MalformedPayload;
            }

            payload = new SessionDescriptionPayload(type ?? defaultType, sdp);
            error = null;
            return ServiceFrameStatus.Message;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The SDP payload is not valid JSON.";
            return ServiceFrameStatus.MalformedPayload;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Decodes an ICE candidate payload. The JSON <c>null</c> payload and an empty <c>candidate</c>
    /// (end-of-candidates markers) are <see cref="ServiceFrameStatus.Ignorable"/>.
    /// </summary>
    internal static ServiceFrameStatus TryDecodeIceCandidatePayload(string? base64, out IceCandidatePayload? payload, out string? error)
    {
        payload = null;
        if (!TryRentPayloadBytes(base64, "ICE_CANDIDATE", out var bytes, out var length, out error))
        {
            return ServiceFrameStatus.MalformedPayload;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length), s_readerOptions);
            if (!reader.Read())
            {
                error = "The candidate payload is empty.";
                return ServiceFrameStatus.MalformedPayload;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                ReadToEnd(ref reader);
                error = "End-of-candidates marker (null payload).";
                return ServiceFrameStatus.Ignorable;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The candidate payload is not a JSON object.";
                return ServiceFrameStatus.MalformedPayload;
            }

            string? candidate = null, sdpMid = null, ufrag = null, indexText = null;
            Span<byte> nameBuffer = stackalloc byte[MaxNameLength];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = GetPropertyName(in reader, nameBuffer);
                reader.Read();
                string? fieldError = null;
                if (NameIs(name, "candidate"u8))
                {
                    fieldError = ReadScalar(ref reader, "candidate", out candidate);
                }
                else if (NameIs(name, "sdpMid"u8))
                {
                    fieldError = ReadScalar(ref reader, "sdpMid", out sdpMid, keepEmpty: true);
                }
                else if (NameIs(name, "sdpMLineIndex"u8))
                {
                    fieldError = ReadScalar(ref reader, "sdpMLineIndex", out indexText);
                }
                else if (NameIs(name, "usernameFragment"u8))
                {
                    fieldError = ReadScalar(ref reader, "usernameFragment", out ufrag);
                }
                else
                {
                    reader.Skip();
                }

                if (fieldError is not null)
                {
                    error = "The candidate payload is malformed: " + fieldError;
                    return ServiceFrameStatus.MalformedPayload;
                }
            }

            ReadToEnd(ref reader);
            int? index = null;
            if (indexText is not null)
            {
                if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    error = "The candidate payload has a non-integer 'sdpMLineIndex'.";
                    return ServiceFrameStatus.MalformedPayload;
                }

                index = parsed;
            }

            if (candidate is null)
            {
                error = "End-of-candidates marker (empty candidate).";
                return ServiceFrameStatus.Ignorable;
            }

            payload = new IceCandidatePayload(candidate, sdpMid, index, ufrag);
            error = null;
            return ServiceFrameStatus.Message;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = "The candidate payload is not valid JSON.";
            return ServiceFrameStatus.MalformedPayload;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Decodes base64 leniently: standard or URL-safe alphabet, with or without <c>=</c> padding, ASCII whitespace
    /// ignored. Returns a rented array (return it to <see cref="ArrayPool{T}.Shared"/>) or null when invalid.
    /// </summary>
    // The shared first step of payload decoding: present and valid (lenient) base64. The bytes are rented from
    // ArrayPool<byte>.Shared; the caller returns them.
    private static bool TryRentPayloadBytes(string? base64, string messageKind, [NotNullWhen(true)] out byte[]? bytes, out int length, out string? error)
    {
        bytes = null;
        length = 0;
        if (string.IsNullOrEmpty(base64))
        {
            error = $"The {messageKind} message has no 'messagePayload'.";
            return false;
        }

        bytes = DecodeBase64Lenient(base64, out length);
        if (bytes is null)
        {
            error = "'messagePayload' is not valid base64.";
            return false;
        }

        error = null;
        return true;
    }

    internal static byte[]? DecodeBase64Lenient(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        var chars = ArrayPool<char>.Shared.Rent(text.Length + 3);
        try
        {
            var count = 0;
            var sawPadding = false;
            foreach (var c in text)
            {
                switch (c)
                {
                    case ' ' or '\t' or '\r' or '\n':
                        continue;
                    case '=':
                        sawPadding = true;
                        continue;
                    case '-':
                        chars[count++] = sawPadding ? '\0' : '+';
                        break;
                    case '_':
                        chars[count++] = sawPadding ? '\0' : '/';
                        break;
                    default:
                        // Data after padding is invalid; '\0' makes the decoder reject it.
                        chars[count++] = sawPadding ? '\0' : c;
                        break;
                }
            }

            switch (count % 4)
            {
                case 1:
                    return null;
                case 2:
                    chars[count++] = '=';
                    chars[count++] = '=';
                    break;
                case 3:
                    chars[count++] = '=';
                    break;
            }

            var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(count / 4 * 3, 1));
            if (!Convert.TryFromBase64Chars(chars.AsSpan(0, count), bytes, out length))
            {
                ArrayPool<byte>.Shared.Return(bytes);
                length = 0;
                return null;
            }

            return bytes;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The length of the padded standard base64 text of <paramref name="byteCount"/> bytes.</summary>
    internal static int Base64LengthOf(int byteCount) => (byteCount + 2) / 3 * 4;

    // ---------------------------------------------------------------- JSON helpers

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static ReadOnlySpan<byte> GetPropertyName(in Utf8JsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        // Escaped names are rare; an escaped name longer than any known name is unknown anyway.
        if (reader.ValueSpan.Length > buffer.Length)
        {
            return ReadOnlySpan<byte>.Empty;
        }

        var written = reader.CopyString(buffer);
        return buffer[..written];
    }

    private static bool NameIs(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected) =>
        actual.Length == expected.Length && Ascii.EqualsIgnoreCase(actual, expected);

    /// <summary>
    /// Reads a scalar member value as text: strings as-is, numbers and booleans as their JSON text, null as null.
    /// Empty strings become null unless <paramref name="keepEmpty"/>. Objects and arrays are errors.
    /// </summary>
    private static string? ReadScalar(ref Utf8JsonReader reader, string member, out string? value, bool keepEmpty = false)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                if (!keepEmpty && string.IsNullOrEmpty(value))
                {
                    value = null;
                }

                return null;
            case JsonTokenType.Null:
                value = null;
                return null;
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = Encoding.UTF8.GetString(reader.ValueSpan);
                return null;
            default:
                value = null;
                reader.Skip();
                return $"'{member}' is not a string.";
        }
    }

    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        // Consumes the rest of the input so trailing garbage is reported as invalid JSON.
        while (reader.Read())
        {
        }
    }

    // ---------------------------------------------------------------- scratch buffers

    private static Scratch RentScratch()
    {
        var scratch = s_scratch;
        if (scratch is null || scratch.InUse)
        {
            // A nested call on the same thread (not expected) gets its own scratch.
            scratch = new Scratch();
            if (s_scratch is null)
            {
                s_scratch = scratch;
            }
        }

        scratch.InUse = true;
        return scratch;
    }

    private static void ReturnScratch(Scratch scratch)
    {
        scratch.Payload.TrimIfLarge(MaxRetainedScratch);
        scratch.Frame.TrimIfLarge(MaxRetainedScratch);
        scratch.InUse = false;
    }

    private sealed class Scratch : IDisposable
    {
        private Utf8JsonWriter? _writer;

        public PooledBufferWriter Payload { get; } = new();

        public PooledBufferWriter Frame { get; } = new();

        public bool InUse { get; set; }

        public Utf8JsonWriter Start(PooledBufferWriter output)
        {
            output.Clear();
            if (_writer is null)
            {
                _writer = new Utf8JsonWriter(output, s_writerOptions);
            }
            else
            {
                _writer.Reset(output);
            }

            return _writer;
        }

        public void Dispose()
        {
            _writer?.Dispose();
            Payload.Dispose();
            Frame.Dispose();
        }
    }
}
