extern alias emulator;

using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using emulator::Kvs.WebRtc.Emulator.Auth;
using emulator::Kvs.WebRtc.Emulator.Http;
using emulator::Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>
/// Signaling frames (client → service as the emulator reads them, service → client as the SDK reads them), the SigV4
/// verifier's query and header parsing, the emulator's raw query parser, and the control-plane JSON (error parser and
/// every response type).
/// </summary>
internal static class SignalingTargets
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly AwsCredentialsSnapshot s_credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token");

    private static readonly JsonTypeInfo[] s_responses =
    [
        KinesisVideoJsonContext.Default.CreateSignalingChannelResponse,
        KinesisVideoJsonContext.Default.DescribeSignalingChannelResponse,
        KinesisVideoJsonContext.Default.GetSignalingChannelEndpointResponse,
        KinesisVideoJsonContext.Default.ListSignalingChannelsResponse,
        KinesisVideoJsonContext.Default.ListTagsForResourceResponse,
        KinesisVideoJsonContext.Default.GetIceServerConfigResponse,
        KinesisVideoJsonContext.Default.DescribeMediaStorageConfigurationResponse,
        KinesisVideoJsonContext.Default.JoinStorageSessionResponse,
        KinesisVideoJsonContext.Default.ServiceErrorBody,
    ];

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("signaling-client-frame", "SignalingServiceCodec.TryDecodeFrame (a client's frame as the service side reads it)", ClientFrame);
        yield return new("signaling-service-frame", "SignalingClientCodec.DecodeFrame (a service frame as the client reads it, with its base64 SDP/candidate payload)", ServiceFrame);
        yield return new("sigv4-presigned", "SigV4Verifier.VerifyPresigned: input is the request target (path?query)", Presigned);
        yield return new("sigv4-header", "SigV4Verifier.VerifyHeaderSigned: line 1 path?query, then 'name: value' header lines, a blank line, the body", HeaderSigned);
        yield return new("emulator-query", "the emulator's RawQueryString.Parse and PercentDecode", Query);
        yield return new("controlplane-error", "ServiceErrorParser.Parse: line 1 the x-amzn-ErrorType header, the rest the body; TryReadServerTime", ControlPlaneError);
        yield return new("controlplane-response", "first byte picks a control-plane response type; the rest is deserialized as the client does", ControlPlaneResponse);
    }

    private static void ClientFrame(byte[] data)
    {
        if (SignalingServiceCodec.TryDecodeFrame(data, out var frame, out _))
        {
            _ = SignalingWireNames.Parse(frame.Action);
        }
    }

    private static void ServiceFrame(byte[] data)
    {
        _ = SignalingClientCodec.DecodeFrame(data, out var message, out _);
        _ = message?.ToString();
        _ = SignalingClientCodec.TryDecodeFrame(data, out _, out _);
    }

    private static AwsCredentialsSnapshot? Lookup(string accessKeyId) =>
        accessKeyId == s_credentials.AccessKeyId ? s_credentials : null;

    private static void Presigned(byte[] data)
    {
        var target = Encoding.UTF8.GetString(data);
        _ = SigV4Verifier.VerifyPresigned("GET", "kinesisvideo.us-west-2.amazonaws.com", target, Lookup, s_now, SigV4Verifier.DefaultAllowedSkew);
    }

    private static void HeaderSigned(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blank < 0 ? text : text[..blank];
        var body = blank < 0 ? [] : Encoding.UTF8.GetBytes(text[(blank + 2)..]);
        var lines = head.Split('\n');
        var target = lines[0];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out var previous) ? previous + "," + value : value;
            }
        }

        _ = SigV4Verifier.VerifyHeaderSigned("POST", path, query, headers, body, Lookup, s_now, SigV4Verifier.DefaultAllowedSkew);
    }

    private static void Query(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        _ = RawQueryString.Parse(text);
        _ = RawQueryString.PercentDecode(text);
        _ = SigV4Encoding.PercentDecode(text);
    }

    private static void ControlPlaneError(byte[] data)
    {
        var newline = Array.IndexOf(data, (byte)'\n');
        var header = newline < 0 ? null : Encoding.UTF8.GetString(data, 0, newline);
        var body = newline < 0 ? data.AsSpan() : data.AsSpan(newline + 1);
        var parsed = ServiceErrorParser.Parse(header, body);
        _ = ServiceErrorParser.NormaliseCode(parsed.Code);
        _ = ServiceErrorParser.TryReadServerTime(parsed.Message);
        _ = ServiceErrorParser.TryReadServerTime(header);
        _ = ServiceErrorParser.Sanitise(parsed.RawText ?? string.Empty, ServiceErrorParser.MaxMessageLength);
    }

    private static void ControlPlaneResponse(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var type = s_responses[data[0] % s_responses.Length];
        try
        {
            _ = JsonSerializer.Deserialize(data.AsSpan(1), type);
        }
        catch (JsonException)
        {
            // The client turns this into SignalingException (SignalingError.InvalidResponse; RestJsonInvoker.Deserialize).
        }
    }
}
