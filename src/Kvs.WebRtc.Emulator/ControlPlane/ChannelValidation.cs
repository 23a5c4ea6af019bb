using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Kvs.WebRtc.Emulator.Http;

namespace Kvs.WebRtc.Emulator.ControlPlane;

/// <summary>Input constraints of the control-plane model (spec 3.1), reported as <c>InvalidArgumentException</c>.</summary>
internal static partial class ChannelValidation
{
    public const int MinMessageTtlSeconds = 5;
    public const int MaxMessageTtlSeconds = 120;
    public const int DefaultMessageTtlSeconds = 60;
    public const int MaxTagsPerResource = 50;

    public static void RequireChannelName([NotNull] string? name, string member)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw AwsServiceError.InvalidArgument($"{member} is required.");
        }

        if (name.Length > 256 || !ChannelNamePattern().IsMatch(name))
        {
            throw AwsServiceError.InvalidArgument($"{member} must be 1 to 256 characters of [a-zA-Z0-9_.-].");
        }
    }

    public static void RequireArn([NotNull] string? arn, string member)
    {
        if (string.IsNullOrEmpty(arn))
        {
            throw AwsServiceError.InvalidArgument($"{member} is required.");
        }

        if (!IsWellFormedArn(arn))
        {
            throw AwsServiceError.InvalidArgument($"{member} is not a valid Kinesis Video ARN.");
        }
    }

    public static bool IsWellFormedArn(string arn) => arn.Length <= 1024 && ArnPattern().IsMatch(arn);

    public static int ValidateTtl(int? seconds)
    {
        var value = seconds ?? DefaultMessageTtlSeconds;
        if (value is < MinMessageTtlSeconds or > MaxMessageTtlSeconds)
        {
            throw AwsServiceError.InvalidArgument($"MessageTtlSeconds must be between {MinMessageTtlSeconds} and {MaxMessageTtlSeconds}.");
        }

        return value;
    }

    public static void RequireTagKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 128 || !TagPattern().IsMatch(key))
        {
            throw AwsServiceError.InvalidArgument("A tag key must be 1 to 128 characters of letters, digits, spaces and _.:/=+-@.");
        }
    }

    public static void RequireTagValue(string? value)
    {
        if (value is null || value.Length > 256 || !TagPattern().IsMatch(value))
        {
            throw AwsServiceError.InvalidArgument("A tag value must be 0 to 256 characters of letters, digits, spaces and _.:/=+-@.");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex ChannelNamePattern();

    [GeneratedRegex(@"^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagPattern();
}
