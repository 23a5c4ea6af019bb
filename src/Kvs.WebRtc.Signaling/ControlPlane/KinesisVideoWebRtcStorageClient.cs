using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Client of the Kinesis Video WebRTC storage API (<c>kinesis-video-webrtc-storage</c>, 2018-05-10), sent to a channel's
/// <see cref="ChannelProtocol.WebRtc"/> endpoint: joins the channel's storage (ingestion) session as the master or as a viewer.
/// </summary>
/// <remarks>
/// Signed with SigV4 service <c>kinesisvideo</c> and shares the retry, clock-skew, size-limit and timeout machinery of
/// <see cref="KinesisVideoClient"/>. After a successful <see cref="JoinStorageSessionAsync"/> the storage session sends
/// the master an <c>SDP_OFFER</c> without a sender client id over its signaling WebSocket. Thread-safe.
/// </remarks>
public sealed class KinesisVideoWebRtcStorageClient : IDisposable
{
    private readonly RestJsonInvoker _invoker;

    /// <summary>Creates a client.</summary>
    /// <param name="options">
    /// The configuration; <see cref="KinesisVideoClientOptions.ServiceUrl"/> must be the channel's WEBRTC endpoint (from
    /// GetSignalingChannelEndpoint).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or <see cref="KinesisVideoClientOptions.ServiceUrl"/> is not set.</exception>
    public KinesisVideoWebRtcStorageClient(KinesisVideoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServiceUrl is null)
        {
            throw new ArgumentException("ServiceUrl must be the channel's WEBRTC endpoint (GetSignalingChannelEndpoint).", nameof(options));
        }

        var logger = (ILogger?)options.LoggerFactory?.CreateLogger<KinesisVideoWebRtcStorageClient>() ?? NullLogger.Instance;
        _invoker = new RestJsonInvoker(options, logger);
        Endpoint = options.ServiceUrl;
    }

    /// <summary>The channel's WEBRTC endpoint every call is sent to.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// Joins (or starts) the channel's storage session as its video-producing master; the storage session then sends the
    /// master's signaling connection an SDP offer. The newest join of a channel wins.
    /// </summary>
    /// <param name="channelArn">The channel ARN.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the join.</returns>
    /// <exception cref="ArgumentException"><paramref name="channelArn"/> is not a channel ARN.</exception>
    /// <exception cref="SignalingException">The service rejected the call (<see cref="SignalingError.ResourceNotFound"/>,
    /// <see cref="SignalingError.InvalidArgument"/> e.g. when the channel has no media storage, <see cref="SignalingError.AccessDenied"/>,
    /// <see cref="SignalingError.ClientLimitExceeded"/>), or the call timed out.</exception>
    public async Task JoinStorageSessionAsync(string channelArn, CancellationToken cancellationToken = default)
    {
        RequestValidator.ValidateJoin(channelArn, clientId: null);
        await _invoker.InvokeAsync(
            Endpoint, "/joinStorageSession", "JoinStorageSession", new JoinStorageSessionRequest { ChannelArn = channelArn },
            KinesisVideoJsonContext.Default.JoinStorageSessionRequest,
            KinesisVideoJsonContext.Default.JoinStorageSessionResponse,
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins the channel's storage session as a viewer (audio only towards the session).</summary>
    /// <param name="channelArn">The channel ARN.</param>
    /// <param name="clientId">The viewer's client id on the channel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the join.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call, or the call timed out.</exception>
    public async Task JoinStorageSessionAsViewerAsync(string channelArn, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        RequestValidator.ValidateJoin(channelArn, clientId);
        await _invoker.InvokeAsync(
            Endpoint, "/joinStorageSessionAsViewer", "JoinStorageSessionAsViewer",
            new JoinStorageSessionAsViewerRequest { ChannelArn = channelArn, ClientId = clientId },
            KinesisVideoJsonContext.Default.JoinStorageSessionAsViewerRequest,
            KinesisVideoJsonContext.Default.JoinStorageSessionResponse,
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the HTTP client if the client created it. Idempotent.</summary>
    public void Dispose() => _invoker.Dispose();
}
