using System.Runtime.CompilerServices;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Client of the Kinesis Video Streams control plane (<c>kinesisvideo</c>, rest-json, 2017-09-30) for signaling
/// channels: create, describe, list, update, delete, endpoints and tags.
/// </summary>
/// <remarks>
/// Every call is signed with SigV4 (service <c>kinesisvideo</c>, the configured region) using credentials fetched
/// fresh from <see cref="KinesisVideoClientOptions.Credentials"/>; throttling, 5xx and transient network failures are
/// retried with jittered exponential back-off; a clock-skew rejection corrects the signer's clock offset and retries
/// once; each call is bounded by <see cref="KinesisVideoClientOptions.Timeout"/>. Requests are validated before any
/// I/O (<see cref="ArgumentException"/>). Every failure raises <see cref="SignalingException"/>, whose
/// <see cref="SignalingException.Error"/> says what happened and <see cref="SignalingException.ErrorCode"/> carries the
/// AWS error code. Thread-safe; create one per region and reuse it.
/// </remarks>
public sealed class KinesisVideoClient : IDisposable
{
    private readonly RestJsonInvoker _invoker;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The configuration (validated here).</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (e.g. <see cref="KinesisVideoClientOptions.ServiceUrl"/>
    /// combined with FIPS or dual-stack).</exception>
    public KinesisVideoClient(KinesisVideoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = (ILogger?)options.LoggerFactory?.CreateLogger<KinesisVideoClient>() ?? NullLogger.Instance;
        _invoker = new RestJsonInvoker(options, logger);
        Endpoint = options.ServiceUrl ?? KinesisVideoEndpoints.GetControlPlaneEndpoint(options.Region, options.UseFips, options.UseDualStack);
        Options = options;
    }

    /// <summary>The control-plane endpoint every call is sent to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The signing region.</summary>
    public string Region => _invoker.Region;

    /// <summary>The options the client was created with.</summary>
    public KinesisVideoClientOptions Options { get; }

    internal RestJsonInvoker Invoker => _invoker;

    /// <summary>Creates a signaling channel (asynchronous on the service side: it starts <c>CREATING</c>).</summary>
    /// <param name="request">The channel name and optional type, configuration and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new channel's ARN.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.ResourceInUse"/>
    /// for a taken name), the response was invalid, or the call timed out.</exception>
    public Task<CreateSignalingChannelResponse> CreateSignalingChannelAsync(
        CreateSignalingChannelRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/createSignalingChannel", "CreateSignalingChannel", request,
            KinesisVideoJsonContext.Default.CreateSignalingChannelRequest,
            KinesisVideoJsonContext.Default.CreateSignalingChannelResponse,
            static r => string.IsNullOrEmpty(r.ChannelARN) ? nameof(r.ChannelARN) : null,
            cancellationToken);
    }

    /// <summary>Describes a signaling channel by name or ARN.</summary>
    /// <param name="request">The channel name or ARN.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel description.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.ResourceNotFound"/>),
    /// the response was invalid, or the call timed out.</exception>
    public Task<DescribeSignalingChannelResponse> DescribeSignalingChannelAsync(
        DescribeSignalingChannelRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/describeSignalingChannel", "DescribeSignalingChannel", request,
            KinesisVideoJsonContext.Default.DescribeSignalingChannelRequest,
            KinesisVideoJsonContext.Default.DescribeSignalingChannelResponse,
            static r => r.ChannelInfo is null ? nameof(r.ChannelInfo)
                : string.IsNullOrEmpty(r.ChannelInfo.ChannelARN) ? "ChannelInfo.ChannelARN" : null,
            cancellationToken);
    }

    /// <summary>Gets the channel's per-protocol endpoints (WSS, HTTPS, WEBRTC) for a role.</summary>
    /// <param name="request">The channel ARN and the protocols/role wanted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One endpoint per requested protocol, in no particular order.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, the response was invalid, or the call
    /// timed out.</exception>
    public Task<GetSignalingChannelEndpointResponse> GetSignalingChannelEndpointAsync(
        GetSignalingChannelEndpointRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/getSignalingChannelEndpoint", "GetSignalingChannelEndpoint", request,
            KinesisVideoJsonContext.Default.GetSignalingChannelEndpointRequest,
            KinesisVideoJsonContext.Default.GetSignalingChannelEndpointResponse,
            static r => r.ResourceEndpointList is null ? nameof(r.ResourceEndpointList) : null,
            cancellationToken);
    }

    /// <summary>Lists one page of signaling channels.</summary>
    /// <param name="request">Paging and filter; all optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the token of the next one (null on the last page).</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, the response was invalid, or the call
    /// timed out.</exception>
    public Task<ListSignalingChannelsResponse> ListSignalingChannelsAsync(
        ListSignalingChannelsRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/listSignalingChannels", "ListSignalingChannels", request,
            KinesisVideoJsonContext.Default.ListSignalingChannelsRequest,
            KinesisVideoJsonContext.Default.ListSignalingChannelsResponse,
            null,
            cancellationToken);
    }

    /// <summary>
    /// Lists every signaling channel, following <c>NextToken</c> until it is missing or empty. Pages are fetched
    /// lazily as the sequence is enumerated.
    /// </summary>
    /// <param name="request">Page size and filter (its <c>NextToken</c> is the starting point); null lists all.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The channels, page after page.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">A page failed, or the service returned the same <c>NextToken</c> twice
    /// (<see cref="SignalingError.InvalidResponse"/>).</exception>
    public IAsyncEnumerable<ChannelInfo> ListAllSignalingChannelsAsync(
        ListSignalingChannelsRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new ListSignalingChannelsRequest();
        RequestValidator.Validate(request);
        return ListAllCoreAsync(request, cancellationToken);
    }

    /// <summary>Updates a channel's configuration (asynchronous on the service side: <c>UPDATING</c>).</summary>
    /// <param name="request">The channel ARN, its current version and the new configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.VersionMismatch"/>),
    /// the response was invalid, or the call timed out.</exception>
    public Task<UpdateSignalingChannelResponse> UpdateSignalingChannelAsync(
        UpdateSignalingChannelRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/updateSignalingChannel", "UpdateSignalingChannel", request,
            KinesisVideoJsonContext.Default.UpdateSignalingChannelRequest,
            KinesisVideoJsonContext.Default.UpdateSignalingChannelResponse,
            null,
            cancellationToken);
    }

    /// <summary>Deletes a channel (asynchronous on the service side: <c>DELETING</c>).</summary>
    /// <param name="request">The channel ARN and optionally its current version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, the response was invalid, or the call
    /// timed out.</exception>
    public Task<DeleteSignalingChannelResponse> DeleteSignalingChannelAsync(
        DeleteSignalingChannelRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/deleteSignalingChannel", "DeleteSignalingChannel", request,
            KinesisVideoJsonContext.Default.DeleteSignalingChannelRequest,
            KinesisVideoJsonContext.Default.DeleteSignalingChannelResponse,
            null,
            cancellationToken);
    }

    /// <summary>Adds or overwrites tags of a resource (1-50 tags).</summary>
    /// <param name="request">The resource ARN and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g.
    /// <see cref="SignalingError.TagsPerResourceExceededLimit"/>), the response was invalid, or the call timed out.</exception>
    public Task<TagResourceResponse> TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/TagResource", "TagResource", request,
            KinesisVideoJsonContext.Default.TagResourceRequest,
            KinesisVideoJsonContext.Default.TagResourceResponse,
            null,
            cancellationToken);
    }

    /// <summary>Removes tags of a resource by key (1-50 keys).</summary>
    /// <param name="request">The resource ARN and tag keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, the response was invalid, or the call
    /// timed out.</exception>
    public Task<UntagResourceResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/UntagResource", "UntagResource", request,
            KinesisVideoJsonContext.Default.UntagResourceRequest,
            KinesisVideoJsonContext.Default.UntagResourceResponse,
            null,
            cancellationToken);
    }

    /// <summary>Lists one page of a resource's tags.</summary>
    /// <param name="request">The resource ARN and optional page token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tags (key to value) and the next page token.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, the response was invalid, or the call
    /// timed out.</exception>
    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(
        ListTagsForResourceRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/ListTagsForResource", "ListTagsForResource", request,
            KinesisVideoJsonContext.Default.ListTagsForResourceRequest,
            KinesisVideoJsonContext.Default.ListTagsForResourceResponse,
            null,
            cancellationToken);
    }

    /// <summary>Describes a channel's media storage (WebRTC ingestion) setting, by channel name or ARN.</summary>
    /// <param name="request">The channel name or ARN.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status and, when enabled, the stream ARN.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.ResourceNotFound"/>),
    /// the response was invalid, or the call timed out.</exception>
    public Task<DescribeMediaStorageConfigurationResponse> DescribeMediaStorageConfigurationAsync(
        DescribeMediaStorageConfigurationRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/describeMediaStorageConfiguration", "DescribeMediaStorageConfiguration", request,
            KinesisVideoJsonContext.Default.DescribeMediaStorageConfigurationRequest,
            KinesisVideoJsonContext.Default.DescribeMediaStorageConfigurationResponse,
            static r => r.MediaStorageConfiguration is null ? nameof(r.MediaStorageConfiguration) : null,
            cancellationToken);
    }

    /// <summary>Links a channel to a Kinesis video stream (or unlinks it) for WebRTC ingestion.</summary>
    /// <param name="request">The channel ARN and the new setting.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.NoDataRetention"/>
    /// when the stream keeps no data, <see cref="SignalingError.ResourceNotFound"/>), the response was invalid, or the call timed out.</exception>
    public Task<UpdateMediaStorageConfigurationResponse> UpdateMediaStorageConfigurationAsync(
        UpdateMediaStorageConfigurationRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/updateMediaStorageConfiguration", "UpdateMediaStorageConfiguration", request,
            KinesisVideoJsonContext.Default.UpdateMediaStorageConfigurationRequest,
            KinesisVideoJsonContext.Default.UpdateMediaStorageConfigurationResponse,
            null,
            cancellationToken);
    }

    /// <summary>
    /// Creates a <see cref="KinesisVideoWebRtcStorageClient"/> for a channel's WEBRTC endpoint with this client's region,
    /// credentials, HTTP client, timeouts, retry policy and signer.
    /// </summary>
    /// <param name="webRtcEndpoint">The channel's <see cref="ChannelProtocol.WebRtc"/> endpoint (from GetSignalingChannelEndpoint).</param>
    /// <returns>A new client; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="webRtcEndpoint"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="webRtcEndpoint"/> is not an absolute http(s) URL.</exception>
    public KinesisVideoWebRtcStorageClient CreateWebRtcStorageClient(Uri webRtcEndpoint)
    {
        ArgumentNullException.ThrowIfNull(webRtcEndpoint);
        return new KinesisVideoWebRtcStorageClient(new KinesisVideoClientOptions(Options)
        {
            ServiceUrl = webRtcEndpoint,
            UseFips = false,
            UseDualStack = false,
            Signer = _invoker.Signer,
            TimeProvider = _invoker.TimeProvider,
        });
    }

    /// <summary>
    /// Creates a <see cref="KinesisVideoSignalingClient"/> for a channel's HTTPS endpoint with this client's region,
    /// credentials, HTTP client (when injected), timeouts, retry policy and signer (so a clock-skew correction learnt by
    /// either client benefits both).
    /// </summary>
    /// <param name="httpsEndpoint">The channel's <see cref="ChannelProtocol.Https"/> endpoint (from GetSignalingChannelEndpoint).</param>
    /// <returns>A new client; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="httpsEndpoint"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="httpsEndpoint"/> is not an absolute http(s) URL.</exception>
    public KinesisVideoSignalingClient CreateSignalingClient(Uri httpsEndpoint)
    {
        ArgumentNullException.ThrowIfNull(httpsEndpoint);
        return new KinesisVideoSignalingClient(new KinesisVideoClientOptions(Options)
        {
            ServiceUrl = httpsEndpoint,
            UseFips = false,
            UseDualStack = false,
            Signer = _invoker.Signer,
            TimeProvider = _invoker.TimeProvider,
        });
    }

    /// <summary>Disposes the HTTP client if the client created it (an injected one is left alone). Idempotent.</summary>
    public void Dispose() => _invoker.Dispose();

    private async IAsyncEnumerable<ChannelInfo> ListAllCoreAsync(
        ListSignalingChannelsRequest first, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var request = first;
        while (true)
        {
            var page = await ListSignalingChannelsAsync(request, cancellationToken).ConfigureAwait(false);
            if (page.ChannelInfoList is { } channels)
            {
                foreach (var channel in channels)
                {
                    if (channel is not null)
                    {
                        yield return channel;
                    }
                }
            }

            if (string.IsNullOrEmpty(page.NextToken))
            {
                yield break;
            }

            if (!seen.Add(page.NextToken))
            {
                throw new SignalingException(
                    SignalingError.InvalidResponse,
                    "ListSignalingChannels returned the same NextToken twice; stopping to avoid an endless loop.",
                    statusCode: System.Net.HttpStatusCode.OK);
            }

            request = new ListSignalingChannelsRequest
            {
                MaxResults = first.MaxResults,
                ChannelNameCondition = first.ChannelNameCondition,
                NextToken = page.NextToken,
            };
        }
    }
}
