namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>Validation of the names the page sends (channel names, client ids, ARNs), with the reason for a refusal.</summary>
internal static class WebNames
{
    /// <summary>Longest channel name or client id KVS accepts.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Longest channel ARN accepted (KVS: 1024).</summary>
    public const int MaxArnLength = 1024;

    /// <summary>A KVS name: 1-256 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public static bool IsName(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A Kinesis Video signaling channel ARN: <c>arn:aws[-partition]:kinesisvideo:region:account:channel/name/stamp</c>.</summary>
    public static bool IsChannelArn(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxArnLength || !value.StartsWith("arn:aws", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = value.Split(':');
        if (parts.Length != 6 || parts[2] != "kinesisvideo" || !parts[5].StartsWith("channel/", StringComparison.Ordinal))
        {
            return false;
        }

        var resource = parts[5].Split('/');
        return resource.Length == 3 && IsName(resource[1]) && resource[2].Length > 0 && resource[2].All(char.IsAsciiDigit);
    }

    /// <summary>The channel name, or a 400 naming what is wrong.</summary>
    public static string RequireChannelName(string? value) =>
        IsName(value) ? value! : throw new WebApiException(400, "channel must be 1-256 characters of [a-zA-Z0-9_.-].");

    /// <summary>The client id, or a 400 naming what is wrong (ids starting with AWS_ are reserved by the service).</summary>
    public static string RequireClientId(string? value) =>
        IsName(value) && !value!.StartsWith("AWS_", StringComparison.Ordinal)
            ? value
            : throw new WebApiException(400, "clientId must be 1-256 characters of [a-zA-Z0-9_.-] and not start with AWS_.");

    /// <summary>The channel ARN, or a 400.</summary>
    public static string RequireChannelArn(string? value) =>
        IsChannelArn(value) ? value! : throw new WebApiException(400, "channelArn must be a Kinesis Video signaling channel ARN.");

    /// <summary>Parses <c>master</c> or <c>viewer</c> (any case), or a 400.</summary>
    public static bool RequireIsMaster(string? role) => role?.ToUpperInvariant() switch
    {
        "MASTER" => true,
        "VIEWER" => false,
        _ => throw new WebApiException(400, "role must be master or viewer."),
    };
}
