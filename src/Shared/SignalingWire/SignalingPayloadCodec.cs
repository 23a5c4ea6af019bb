using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The base64 JSON payloads inside signaling frames, both directions: <c>{"sdp","type"}</c> and
/// <c>{"candidate","sdpMid","sdpMLineIndex"[,"usernameFragment"]}</c>. Encoding writes standard padded base64 of
/// compact UTF-8 JSON; decoding is lenient (base64 per <see cref="LenientBase64"/>, members per
/// <see cref="JsonMemberReader"/>) and never throws on bad input. Compiled into the client and the emulator from
/// <c>src/Shared</c>; see docs/architecture.md ("Signaling wire codecs").
/// </summary>
internal static class SignalingPayloadCodec
{
    private static readonly string[] s_sdpMembers = ["type", "sdp"];
    private static readonly string[] s_candidateMembers = ["candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"];

    /// <summary>Encodes an SDP payload: standard padded base64 of <c>{"sdp":…,"type":…}</c>.</summary>
    public static string EncodeSdp(SessionDescriptionPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var scratch = CodecScratch.Rent();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteSdpJson(writer, payload);
            writer.Flush();
            return Convert.ToBase64String(scratch.Payload.WrittenSpan);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>Encodes an ICE candidate payload: standard padded base64 of its JSON.</summary>
    public static string EncodeIceCandidate(IceCandidatePayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var scratch = CodecScratch.Rent();
        try
        {
            var writer = scratch.Start(scratch.Payload);
            WriteIceCandidateJson(writer, payload);
            writer.Flush();
            return Convert.ToBase64String(scratch.Payload.WrittenSpan);
        }
        finally
        {
            CodecScratch.Return(scratch);
        }
    }

    /// <summary>Writes the JSON (not base64) of an SDP payload.</summary>
    public static void WriteSdpJson(Utf8JsonWriter writer, SessionDescriptionPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload.Sdp, nameof(payload));
        ArgumentNullException.ThrowIfNull(payload.Type, nameof(payload));
        writer.WriteStartObject();
        writer.WriteString("sdp"u8, payload.Sdp);
        writer.WriteString("type"u8, payload.Type);
        writer.WriteEndObject();
    }

    /// <summary>Writes the JSON (not base64) of an ICE candidate payload; absent members are omitted.</summary>
    public static void WriteIceCandidateJson(Utf8JsonWriter writer, IceCandidatePayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload.Candidate, nameof(payload));
        writer.WriteStartObject();
        writer.WriteString("candidate"u8, payload.Candidate);
        if (payload.SdpMid is not null)
        {
            writer.WriteString("sdpMid"u8, payload.SdpMid);
        }

        if (payload.SdpMLineIndex is { } index)
        {
            writer.WriteNumber("sdpMLineIndex"u8, index);
        }

        if (payload.UsernameFragment is not null)
        {
            writer.WriteString("usernameFragment"u8, payload.UsernameFragment);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Decodes an SDP payload. A missing <c>type</c> is taken from <paramref name="defaultType"/>; a missing
    /// <c>sdp</c> is an error (an empty one is kept).
    /// </summary>
    public static ServiceFrameStatus TryDecodeSdp(string? base64, string defaultType, out SessionDescriptionPayload? payload, out string? error)
    {
        payload = null;
        if (!TryRentPayloadBytes(base64, "SDP", out var bytes, out var length, out error))
        {
            return ServiceFrameStatus.MalformedPayload;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length), JsonMemberReader.Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The SDP payload is not a JSON object.";
                return ServiceFrameStatus.MalformedPayload;
            }

            var storage = default(MemberValues);
            Span<string?> values = storage[..2];
            var memberError = JsonMemberReader.ReadScalarMembers(ref reader, s_sdpMembers, values, keepEmpty: 0b10);
            if (memberError is not null)
            {
                error = "The SDP payload is malformed: " + memberError;
                return ServiceFrameStatus.MalformedPayload;
            }

            JsonMemberReader.ReadToEnd(ref reader);
            if (values[1] is not { } sdp)
            {
                error = "The SDP payload has no 'sdp'.";
                return ServiceFrameStatus.MalformedPayload;
            }

            payload = new SessionDescriptionPayload(values[0] ?? defaultType, sdp);
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
    public static ServiceFrameStatus TryDecodeIceCandidate(string? base64, out IceCandidatePayload? payload, out string? error)
    {
        payload = null;
        if (!TryRentPayloadBytes(base64, "ICE_CANDIDATE", out var bytes, out var length, out error))
        {
            return ServiceFrameStatus.MalformedPayload;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length), JsonMemberReader.Options);
            if (!reader.Read())
            {
                error = "The candidate payload is empty.";
                return ServiceFrameStatus.MalformedPayload;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                JsonMemberReader.ReadToEnd(ref reader);
                error = "End-of-candidates marker (null payload).";
                return ServiceFrameStatus.Ignorable;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The candidate payload is not a JSON object.";
                return ServiceFrameStatus.MalformedPayload;
            }

            var storage = default(MemberValues);
            Span<string?> values = storage[..4];
            var memberError = JsonMemberReader.ReadScalarMembers(ref reader, s_candidateMembers, values, keepEmpty: 0b10);
            if (memberError is not null)
            {
                error = "The candidate payload is malformed: " + memberError;
                return ServiceFrameStatus.MalformedPayload;
            }

            JsonMemberReader.ReadToEnd(ref reader);
            int? index = null;
            if (values[2] is { } indexText)
            {
                if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    error = "The candidate payload has a non-integer 'sdpMLineIndex'.";
                    return ServiceFrameStatus.MalformedPayload;
                }

                index = parsed;
            }

            if (values[0] is not { } candidate)
            {
                error = "End-of-candidates marker (empty candidate).";
                return ServiceFrameStatus.Ignorable;
            }

            payload = new IceCandidatePayload(candidate, values[1], index, values[3]);
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

    // The first step of payload decoding: present and valid (lenient) base64, in an array rented from
    // ArrayPool<byte>.Shared that the caller returns.
    private static bool TryRentPayloadBytes(string? base64, string messageKind, [NotNullWhen(true)] out byte[]? bytes, out int length, out string? error)
    {
        bytes = null;
        length = 0;
        if (string.IsNullOrEmpty(base64))
        {
            error = $"The {messageKind} message has no 'messagePayload'.";
            return false;
        }

        bytes = LenientBase64.DecodeRented(base64, out length);
        if (bytes is null)
        {
            error = "'messagePayload' is not valid base64.";
            return false;
        }

        error = null;
        return true;
    }
}
