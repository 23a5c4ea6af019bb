using Kvs.WebRtc.Emulator.ControlPlane.MediaStorage;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using DescribeMediaStorageConfigurationRequest = Kvs.WebRtc.Emulator.ControlPlane.MediaStorage.DescribeMediaStorageConfigurationRequest;
using DescribeMediaStorageConfigurationResponse = Kvs.WebRtc.Emulator.ControlPlane.MediaStorage.DescribeMediaStorageConfigurationResponse;
using MediaStorageConfiguration = Kvs.WebRtc.Emulator.ControlPlane.MediaStorage.MediaStorageConfiguration;
using UpdateMediaStorageConfigurationRequest = Kvs.WebRtc.Emulator.ControlPlane.MediaStorage.UpdateMediaStorageConfigurationRequest;

namespace Kvs.WebRtc.Emulator.ControlPlane;

/// <summary>
/// The control-plane operations (spec 3): parses a request body (member names matched case-insensitively, unknown
/// members ignored, empty body = <c>{}</c>), applies it to the <see cref="ChannelStore"/>, and returns the response
/// body. Failures are thrown as <see cref="AwsServiceError"/>.
/// </summary>
internal sealed class ControlPlaneHandler
{
    public const string CreateSignalingChannel = "/createSignalingChannel";
    public const string DescribeSignalingChannel = "/describeSignalingChannel";
    public const string GetSignalingChannelEndpoint = "/getSignalingChannelEndpoint";
    public const string ListSignalingChannels = "/listSignalingChannels";
    public const string UpdateSignalingChannel = "/updateSignalingChannel";
    public const string DeleteSignalingChannel = "/deleteSignalingChannel";
    public const string TagResource = "/TagResource";
    public const string UntagResource = "/UntagResource";
    public const string ListTagsForResource = "/ListTagsForResource";
    public const string DescribeMediaStorageConfiguration = "/describeMediaStorageConfiguration";
    public const string UpdateMediaStorageConfiguration = "/updateMediaStorageConfiguration";

    private const int DefaultPageSize = 500;
    private const int MaxPageSize = 10_000;
    private const int MaxTagsPerCall = 50;

    private static readonly HashSet<string> s_operations = new(StringComparer.Ordinal)
    {
        CreateSignalingChannel, DescribeSignalingChannel, GetSignalingChannelEndpoint, ListSignalingChannels,
        UpdateSignalingChannel, DeleteSignalingChannel, TagResource, UntagResource, ListTagsForResource,
        DescribeMediaStorageConfiguration, UpdateMediaStorageConfiguration,
    };

    private readonly ChannelStore _store;
    private readonly EmulatorEndpoints _endpoints;
    private readonly TimeProvider _timeProvider;
    private readonly Action<EmulatedChannel> _onDeleted;

    public ControlPlaneHandler(ChannelStore store, EmulatorEndpoints endpoints, TimeProvider timeProvider, Action<EmulatedChannel> onDeleted)
    {
        _store = store;
        _endpoints = endpoints;
        _timeProvider = timeProvider;
        _onDeleted = onDeleted;
    }

    /// <summary>True when <paramref name="path"/> names a control-plane operation (paths are case-sensitive).</summary>
    public static bool IsOperation(string path) => s_operations.Contains(path);

    /// <summary>Runs the operation at <paramref name="path"/> and returns the JSON response body.</summary>
    public byte[] Handle(string path, ReadOnlySpan<byte> body) => path switch
    {
        CreateSignalingChannel => Create(body),
        DescribeSignalingChannel => Describe(body),
        GetSignalingChannelEndpoint => GetEndpoint(body),
        ListSignalingChannels => List(body),
        UpdateSignalingChannel => Update(body),
        DeleteSignalingChannel => Delete(body),
        TagResource => Tag(body),
        UntagResource => Untag(body),
        ListTagsForResource => ListTags(body),
        DescribeMediaStorageConfiguration => DescribeMediaStorage(body),
        UpdateMediaStorageConfiguration => UpdateMediaStorage(body),
        _ => throw new AwsServiceError(AwsErrorTypes.UnknownOperation, System.Net.HttpStatusCode.NotFound, "Unknown operation."),
    };

    private byte[] Create(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<CreateSignalingChannelRequest>(body);
        ChannelValidation.RequireChannelName(request.ChannelName, "ChannelName");
        if (request.ChannelType is { } type && type != ChannelType.SingleMaster)
        {
            throw AwsServiceError.InvalidArgument(type == ChannelType.FullMesh
                ? "Only SINGLE_MASTER signaling channels are supported."
                : "ChannelType must be SINGLE_MASTER.");
        }

        var ttl = ChannelValidation.ValidateTtl(request.SingleMasterConfiguration?.MessageTtlSeconds);
        var tags = ValidateTags(request.Tags, allowEmpty: true);
        var channel = _store.Create(request.ChannelName, ttl, tags, _timeProvider.GetUtcNow());
        return EmulatorJson.Write(new CreateSignalingChannelResponse { ChannelARN = channel.Arn });
    }

    private byte[] Describe(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<DescribeSignalingChannelRequest>(body);
        var channel = FindByNameOrArn(request.ChannelName, request.ChannelARN);
        return EmulatorJson.Write(new DescribeSignalingChannelResponse { ChannelInfo = channel.ToChannelInfo() });
    }

    private byte[] GetEndpoint(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<GetSignalingChannelEndpointRequest>(body);
        ChannelValidation.RequireArn(request.ChannelARN, "ChannelARN");
        var channel = _store.GetByArn(request.ChannelARN);
        var configuration = request.SingleMasterChannelEndpointConfiguration;
        var storage = _store.GetMediaStorage(channel);
        IReadOnlyList<ChannelProtocol> protocols = configuration?.Protocols
            ?? (storage.Status == "ENABLED" ? [ChannelProtocol.Wss, ChannelProtocol.Https, ChannelProtocol.WebRtc] : [ChannelProtocol.Wss, ChannelProtocol.Https]);
        if (protocols.Count is 0 or > 5)
        {
            throw AwsServiceError.InvalidArgument("Protocols must list 1 to 5 protocols.");
        }

        var role = KvsEmulatorRole.Master;
        if (configuration?.Role is { } requestedRole)
        {
            role = requestedRole == ChannelRole.Master ? KvsEmulatorRole.Master
                : requestedRole == ChannelRole.Viewer ? KvsEmulatorRole.Viewer
                : throw AwsServiceError.InvalidArgument("Role must be MASTER or VIEWER.");
        }

        var endpoints = new List<ResourceEndpointListItem>();
        foreach (var protocol in protocols.Distinct())
        {
            string endpoint;
            if (protocol == ChannelProtocol.Wss)
            {
                endpoint = _endpoints.Wss(channel.ChannelId, role);
            }
            else if (protocol == ChannelProtocol.Https)
            {
                endpoint = _endpoints.Https;
            }
            else if (protocol == ChannelProtocol.WebRtc)
            {
                if (storage.Status != "ENABLED")
                {
                    throw AwsServiceError.InvalidArgument("The WEBRTC protocol needs media storage to be ENABLED on the channel.");
                }

                endpoint = _endpoints.Https;
            }
            else
            {
                throw AwsServiceError.InvalidArgument("Protocols may only contain WSS, HTTPS and WEBRTC.");
            }

            endpoints.Add(new ResourceEndpointListItem { Protocol = new ChannelProtocol(protocol.Value.ToUpperInvariant()), ResourceEndpoint = endpoint });
        }

        return EmulatorJson.Write(new GetSignalingChannelEndpointResponse { ResourceEndpointList = endpoints });
    }

    private byte[] List(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<ListSignalingChannelsRequest>(body);
        var pageSize = request.MaxResults ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw AwsServiceError.InvalidArgument($"MaxResults must be between 1 and {MaxPageSize}.");
        }

        var after = string.IsNullOrEmpty(request.NextToken) ? null : ChannelStore.DecodeToken(request.NextToken);
        string? prefix = null;
        if (request.ChannelNameCondition is { } condition)
        {
            if (condition.ComparisonOperator is { } op && op != ComparisonOperator.BeginsWith)
            {
                throw AwsServiceError.InvalidArgument("ComparisonOperator must be BEGINS_WITH.");
            }

            if (condition.ComparisonValue is not null)
            {
                ChannelValidation.RequireChannelName(condition.ComparisonValue, "ComparisonValue");
                prefix = condition.ComparisonValue;
            }
        }

        var (page, lastName) = _store.List(pageSize, after, prefix);
        return EmulatorJson.Write(new ListSignalingChannelsResponse
        {
            ChannelInfoList = page.Select(c => c.ToChannelInfo()).ToList(),
            NextToken = lastName is null ? null : ChannelStore.EncodeToken(lastName),
        });
    }

    private byte[] Update(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<UpdateSignalingChannelRequest>(body);
        ChannelValidation.RequireArn(request.ChannelARN, "ChannelARN");
        RequireVersion(request.CurrentVersion, required: true);
        int? ttl = request.SingleMasterConfiguration?.MessageTtlSeconds is { } seconds ? ChannelValidation.ValidateTtl(seconds) : null;
        _store.Update(request.ChannelARN, request.CurrentVersion, ttl);
        return EmulatorJson.Write(new UpdateSignalingChannelResponse());
    }

    private byte[] Delete(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<DeleteSignalingChannelRequest>(body);
        ChannelValidation.RequireArn(request.ChannelARN, "ChannelARN");
        RequireVersion(request.CurrentVersion, required: false);
        var channel = _store.Delete(request.ChannelARN, string.IsNullOrEmpty(request.CurrentVersion) ? null : request.CurrentVersion);
        _onDeleted(channel);
        return EmulatorJson.Write(new DeleteSignalingChannelResponse());
    }

    private byte[] Tag(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<TagResourceRequest>(body);
        ChannelValidation.RequireArn(request.ResourceARN, "ResourceARN");
        var tags = ValidateTags(request.Tags, allowEmpty: false);
        _store.Tag(request.ResourceARN, tags);
        return EmulatorJson.Write(new TagResourceResponse());
    }

    private byte[] Untag(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<UntagResourceRequest>(body);
        ChannelValidation.RequireArn(request.ResourceARN, "ResourceARN");
        if (request.TagKeyList is null || request.TagKeyList.Count is 0 or > MaxTagsPerCall)
        {
            throw AwsServiceError.InvalidArgument($"TagKeyList must hold 1 to {MaxTagsPerCall} keys.");
        }

        foreach (var key in request.TagKeyList)
        {
            ChannelValidation.RequireTagKey(key);
        }

        _store.Untag(request.ResourceARN, request.TagKeyList);
        return EmulatorJson.Write(new UntagResourceResponse());
    }

    private byte[] ListTags(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<ListTagsForResourceRequest>(body);
        ChannelValidation.RequireArn(request.ResourceARN, "ResourceARN");
        var tags = _store.GetTags(request.ResourceARN);
        return EmulatorJson.Write(new ListTagsForResourceResponse { Tags = tags });
    }

    private byte[] DescribeMediaStorage(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<DescribeMediaStorageConfigurationRequest>(body);
        var channel = FindByNameOrArn(request.ChannelName, request.ChannelARN);
        var (status, streamArn) = _store.GetMediaStorage(channel);
        return EmulatorJson.Write(new DescribeMediaStorageConfigurationResponse
        {
            MediaStorageConfiguration = new MediaStorageConfiguration { Status = status, StreamARN = streamArn },
        });
    }

    private byte[] UpdateMediaStorage(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<UpdateMediaStorageConfigurationRequest>(body);
        ChannelValidation.RequireArn(request.ChannelARN, "ChannelARN");
        var configuration = request.MediaStorageConfiguration
            ?? throw AwsServiceError.InvalidArgument("MediaStorageConfiguration is required.");
        var status = configuration.Status?.ToUpperInvariant();
        if (status is not ("ENABLED" or "DISABLED"))
        {
            throw AwsServiceError.InvalidArgument("MediaStorageConfiguration.Status must be ENABLED or DISABLED.");
        }

        if (status == "ENABLED" && (configuration.StreamARN is null || !ChannelValidation.IsWellFormedArn(configuration.StreamARN)))
        {
            throw AwsServiceError.InvalidArgument("MediaStorageConfiguration.StreamARN must be a stream ARN when Status is ENABLED.");
        }

        _store.SetMediaStorage(request.ChannelARN!, status, status == "ENABLED" ? configuration.StreamARN : null);
        return EmulatorJson.Write(EmptyResponse.Instance);
    }

    private EmulatedChannel FindByNameOrArn(string? name, string? arn)
    {
        if (string.IsNullOrEmpty(name) && string.IsNullOrEmpty(arn))
        {
            throw AwsServiceError.InvalidArgument("Either ChannelName or ChannelARN is required.");
        }

        EmulatedChannel? byArn = null;
        if (!string.IsNullOrEmpty(arn))
        {
            ChannelValidation.RequireArn(arn, "ChannelARN");
            byArn = _store.GetByArn(arn);
        }

        if (string.IsNullOrEmpty(name))
        {
            return byArn!;
        }

        ChannelValidation.RequireChannelName(name, "ChannelName");
        var byName = _store.FindByName(name) ?? throw AwsServiceError.NotFound("The requested channel is not found or not active.");
        if (byArn is not null && !ReferenceEquals(byArn, byName))
        {
            throw AwsServiceError.InvalidArgument("ChannelName and ChannelARN name different channels.");
        }

        return byName;
    }

    private static void RequireVersion(string? version, bool required)
    {
        if (string.IsNullOrEmpty(version))
        {
            if (required)
            {
                throw AwsServiceError.InvalidArgument("CurrentVersion is required.");
            }

            return;
        }

        if (version.Length > 64 || !version.All(char.IsAsciiLetterOrDigit))
        {
            throw AwsServiceError.InvalidArgument("CurrentVersion must be 1 to 64 letters and digits.");
        }
    }

    private static List<KeyValuePair<string, string>> ValidateTags(IReadOnlyList<Tag>? tags, bool allowEmpty)
    {
        if (tags is null || tags.Count == 0)
        {
            return allowEmpty ? [] : throw AwsServiceError.InvalidArgument($"Tags must hold 1 to {MaxTagsPerCall} tags.");
        }

        if (tags.Count > MaxTagsPerCall)
        {
            throw new AwsServiceError(AwsErrorTypes.TagsPerResourceExceededLimit, System.Net.HttpStatusCode.BadRequest, $"A resource can have at most {MaxTagsPerCall} tags.");
        }

        var result = new List<KeyValuePair<string, string>>(tags.Count);
        foreach (var tag in tags)
        {
            if (tag is null)
            {
                throw AwsServiceError.InvalidArgument("A tag must have a Key and a Value.");
            }

            ChannelValidation.RequireTagKey(tag.Key);
            ChannelValidation.RequireTagValue(tag.Value);
            result.Add(new KeyValuePair<string, string>(tag.Key, tag.Value));
        }

        return result;
    }
}
