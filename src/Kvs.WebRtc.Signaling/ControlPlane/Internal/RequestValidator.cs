using System.Text.RegularExpressions;
using Kvs.WebRtc.Signaling.ControlPlane.Model;

namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>
/// Checks requests against the constraints of the AWS service model before any I/O, so a caller bug fails at once
/// with an <see cref="ArgumentException"/> naming the member, instead of a round trip and a service error.
/// </summary>
internal static partial class RequestValidator
{
    internal const int MaxTags = 50;
    internal const int MinMessageTtlSeconds = 5;
    internal const int MaxMessageTtlSeconds = 120;
    private const int MaxArnLength = 1024;

    public static void Validate(CreateSignalingChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ChannelName(request.ChannelName, nameof(request.ChannelName));
        Defined(request.ChannelType?.Value, nameof(request.ChannelType));
        Configuration(request.SingleMasterConfiguration);
        if (request.Tags is not null)
        {
            Tags(request.Tags, nameof(request.Tags), minCount: 0);
        }
    }

    public static void Validate(DescribeSignalingChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ChannelName is null && request.ChannelARN is null)
        {
            throw Invalid("Set ChannelName or ChannelARN.");
        }

        if (request.ChannelName is not null)
        {
            ChannelName(request.ChannelName, nameof(request.ChannelName));
        }

        if (request.ChannelARN is not null)
        {
            Arn(request.ChannelARN, nameof(request.ChannelARN));
        }
    }

    public static void Validate(DescribeMediaStorageConfigurationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ChannelName is null && request.ChannelARN is null)
        {
            throw Invalid("Set ChannelName or ChannelARN.");
        }

        if (request.ChannelName is not null)
        {
            ChannelName(request.ChannelName, nameof(request.ChannelName));
        }

        if (request.ChannelARN is not null)
        {
            Arn(request.ChannelARN, nameof(request.ChannelARN));
        }
    }

    public static void Validate(UpdateMediaStorageConfigurationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ChannelARN, nameof(request.ChannelARN));
        var configuration = request.MediaStorageConfiguration ?? throw Invalid("MediaStorageConfiguration is required.");
        if (configuration.Status is not { } status || status.Value.Length == 0)
        {
            throw Invalid("MediaStorageConfiguration.Status is required.");
        }

        if (status == MediaStorageStatus.Enabled || configuration.StreamARN is not null)
        {
            Arn(configuration.StreamARN, "MediaStorageConfiguration.StreamARN");
        }
    }

    public static void ValidateJoin(string channelArn, string? clientId)
    {
        Arn(channelArn, nameof(channelArn));
        if (clientId is not null && !IsChannelName(clientId))
        {
            throw new ArgumentException("clientId must be 1-256 characters of [a-zA-Z0-9_.-].", nameof(clientId));
        }
    }

    public static void Validate(GetSignalingChannelEndpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ChannelARN, nameof(request.ChannelARN));
        if (request.SingleMasterChannelEndpointConfiguration is { } configuration)
        {
            if (configuration.Protocols is { } protocols)
            {
                if (protocols.Count is < 1 or > 5)
                {
                    throw Invalid("Protocols must hold 1-5 items.");
                }

                foreach (var protocol in protocols)
                {
                    Defined(protocol.Value, nameof(configuration.Protocols));
                }
            }

            Defined(configuration.Role?.Value, nameof(configuration.Role));
        }
    }

    public static void Validate(ListSignalingChannelsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MaxResults is < 1 or > 10_000)
        {
            throw Invalid("MaxResults must be 1-10000.");
        }

        NextToken(request.NextToken);
        if (request.ChannelNameCondition is { } condition)
        {
            Defined(condition.ComparisonOperator?.Value, nameof(condition.ComparisonOperator));
            if (condition.ComparisonValue is not null)
            {
                ChannelName(condition.ComparisonValue, nameof(condition.ComparisonValue));
            }
        }
    }

    public static void Validate(UpdateSignalingChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ChannelARN, nameof(request.ChannelARN));
        Version(request.CurrentVersion);
        Configuration(request.SingleMasterConfiguration);
    }

    public static void Validate(DeleteSignalingChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ChannelARN, nameof(request.ChannelARN));
        if (request.CurrentVersion is not null)
        {
            Version(request.CurrentVersion);
        }
    }

    public static void Validate(TagResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ResourceARN, nameof(request.ResourceARN));
        Tags(request.Tags, nameof(request.Tags), minCount: 1);
    }

    public static void Validate(UntagResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ResourceARN, nameof(request.ResourceARN));
        if (request.TagKeyList is null || request.TagKeyList.Count is < 1 or > MaxTags)
        {
            throw Invalid($"TagKeyList must hold 1-{MaxTags} keys.");
        }

        foreach (var key in request.TagKeyList)
        {
            TagKey(key);
        }
    }

    public static void Validate(ListTagsForResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ResourceARN, nameof(request.ResourceARN));
        NextToken(request.NextToken);
    }

    public static void Validate(GetIceServerConfigRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Arn(request.ChannelARN, nameof(request.ChannelARN));
        if (request.ClientId is not null && !IdentifierPattern().IsMatch(request.ClientId))
        {
            throw Invalid("ClientId must be 1-256 characters of [a-zA-Z0-9_.-].");
        }

        if (request.Username is not null && !IdentifierPattern().IsMatch(request.Username))
        {
            throw Invalid("Username must be 1-256 characters of [a-zA-Z0-9_.-].");
        }

        if (request.Service is not null && request.Service != GetIceServerConfigRequest.TurnService)
        {
            throw Invalid($"Service must be \"{GetIceServerConfigRequest.TurnService}\" or null.");
        }
    }

    /// <summary>Whether a string is a well-formed Kinesis Video resource ARN.</summary>
    public static bool IsArn(string? value) => value is { Length: > 0 and <= MaxArnLength } && ArnPattern().IsMatch(value);

    /// <summary>Whether a string is a valid channel name.</summary>
    public static bool IsChannelName(string? value) => value is not null && IdentifierPattern().IsMatch(value);

    public static void ChannelName(string? value, string member)
    {
        if (!IsChannelName(value))
        {
            throw Invalid($"{member} must be 1-256 characters of [a-zA-Z0-9_.-].");
        }
    }

    public static void Arn(string? value, string member)
    {
        if (!IsArn(value))
        {
            throw Invalid(
                $"{member} must be a Kinesis Video ARN like arn:aws:kinesisvideo:us-west-2:123456789012:channel/name/1234567890123 (at most {MaxArnLength} characters).");
        }
    }

    private static void Configuration(SingleMasterConfiguration? configuration)
    {
        if (configuration?.MessageTtlSeconds is < MinMessageTtlSeconds or > MaxMessageTtlSeconds)
        {
            throw Invalid($"MessageTtlSeconds must be {MinMessageTtlSeconds}-{MaxMessageTtlSeconds}.");
        }
    }

    private static void Version(string? value)
    {
        if (value is null || !VersionPattern().IsMatch(value))
        {
            throw Invalid("CurrentVersion must be 1-64 characters of [a-zA-Z0-9].");
        }
    }

    private static void NextToken(string? value)
    {
        if (value is not null && !NextTokenPattern().IsMatch(value))
        {
            throw Invalid("NextToken must be at most 1024 characters of [a-zA-Z0-9+/=].");
        }
    }

    private static void Tags(IReadOnlyList<Tag>? tags, string member, int minCount)
    {
        if (tags is null || tags.Count < minCount || tags.Count > MaxTags)
        {
            throw Invalid($"{member} must hold {minCount}-{MaxTags} tags.");
        }

        foreach (var tag in tags)
        {
            if (tag is null)
            {
                throw Invalid($"{member} must not contain null.");
            }

            TagKey(tag.Key);
            if (tag.Value is null || !TagValuePattern().IsMatch(tag.Value))
            {
                throw Invalid(
                    "A tag value must be 0-256 characters of letters, digits, spaces and _ . : / = + - @.");
            }
        }
    }

    private static void TagKey(string? key)
    {
        if (key is null || !TagKeyPattern().IsMatch(key))
        {
            throw Invalid(
                "A tag key must be 1-128 characters of letters, digits, spaces and _ . : / = + - @.");
        }
    }

    private static void Defined(string? wireValue, string member)
    {
        if (wireValue is { Length: 0 })
        {
            throw Invalid($"{member} must not be the default (empty) value.");
        }
    }

    // Every message names the offending member; the parameter is always the request object.
    private static ArgumentException Invalid(string message, string paramName = "request") => new(message, paramName);

    [GeneratedRegex(@"\A[a-zA-Z0-9_.\-]{1,256}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"\Aarn:[a-z\d\-]+:kinesisvideo:[a-z0-9\-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.\-]+/[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9+/=]{0,1024}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NextTokenPattern();

    [GeneratedRegex(@"\A[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex(@"\A[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagValuePattern();
}
