using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Client of the Kinesis Video signaling HTTPS API (<c>kinesis-video-signaling</c>, 2019-12-04), sent to a channel's
/// <see cref="ChannelProtocol.Https"/> endpoint: <see cref="GetIceServerConfigAsync"/>.
/// </summary>
/// <remarks>
/// Shares the signing, retry, clock-skew, size-limit and timeout machinery of <see cref="KinesisVideoClient"/>.
/// Thread-safe.
/// </remarks>
public sealed class KinesisVideoSignalingClient : IDisposable
{
    private readonly RestJsonInvoker _invoker;

    /// <summary>Creates a client.</summary>
    /// <param name="options">
    /// The configuration; <see cref="KinesisVideoClientOptions.ServiceUrl"/> must be the channel's HTTPS endpoint (from
    /// GetSignalingChannelEndpoint).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or <see cref="KinesisVideoClientOptions.ServiceUrl"/> is not set.</exception>
    public KinesisVideoSignalingClient(KinesisVideoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServiceUrl is null)
        {
            throw new ArgumentException("ServiceUrl must be the channel's HTTPS endpoint (GetSignalingChannelEndpoint).", nameof(options));
        }

        var logger = (ILogger?)options.LoggerFactory?.CreateLogger<KinesisVideoSignalingClient>() ?? NullLogger.Instance;
        _invoker = new RestJsonInvoker(options, logger);
        Endpoint = options.ServiceUrl;
    }

    /// <summary>The channel's HTTPS endpoint every call is sent to.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets TURN servers (URIs, time-limited username and password, TTL) for a channel.</summary>
    /// <param name="request">The channel ARN and optional client id, service (<c>TURN</c>) and username.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ICE server list (the KVS STUN server is not part of it).</returns>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="SignalingException">The service rejected the call (e.g. <see cref="SignalingError.SessionExpired"/>,
    /// <see cref="SignalingError.InvalidClient"/>), the response was invalid, or the call timed out.</exception>
    public Task<GetIceServerConfigResponse> GetIceServerConfigAsync(
        GetIceServerConfigRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidator.Validate(request);
        return _invoker.InvokeAsync(
            Endpoint, "/v1/get-ice-server-config", "GetIceServerConfig", request,
            KinesisVideoJsonContext.Default.GetIceServerConfigRequest,
            KinesisVideoJsonContext.Default.GetIceServerConfigResponse,
            static r => r.IceServerList is null ? nameof(r.IceServerList) : null,
            cancellationToken);
    }

    /// <summary>Disposes the HTTP client if the client created it. Idempotent.</summary>
    public void Dispose() => _invoker.Dispose();
}
