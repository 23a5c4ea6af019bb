using System.Diagnostics;
using Kvs.WebRtc.Diagnostics;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Signaling.IceServers;

namespace Kvs.WebRtc;

/// <summary>
/// A connection to a KVS signaling channel in one role: the channel is resolved (and created when missing), its
/// endpoints are cached, the ICE servers (KVS STUN plus TURN from GetIceServerConfig) are provided and refreshed, and
/// an observable <see cref="SignalingClient"/> is connected with a freshly presigned URL.
/// </summary>
/// <remarks>
/// A <c>RECONNECT_ICE_SERVER</c> message from the service refreshes <see cref="IceServers"/> at once. Members are
/// thread-safe. Dispose to close the WebSocket (code 1000) and release the HTTP clients the channel owns.
/// </remarks>
/// <example>
/// <code>
/// await using var master = await KvsChannel.ConnectAsMasterAsync(new KvsChannelOptions { Channel = "front-door", Region = "us-west-2" });
/// master.Signaling.Offers.Subscribe(offer => Console.WriteLine($"offer from {offer.SenderClientId}"));
/// </code>
/// </example>
public sealed class KvsChannel : IAsyncDisposable
{
    private readonly KinesisVideoClient _controlPlane;
    private readonly KinesisVideoSignalingClient _signalingHttps;
    private readonly IDisposable _iceRefreshSubscription;
    private readonly IDisposable _telemetry;
    private readonly string? _clientId;
    private KinesisVideoWebRtcStorageClient? _storage;

    private KvsChannel(
        KinesisVideoClient controlPlane,
        KinesisVideoSignalingClient signalingHttps,
        SignalingChannelEndpoints endpoints,
        IceServerProvider iceServers,
        SignalingClient signaling,
        SessionTelemetry telemetry,
        string? clientId)
    {
        _clientId = clientId;
        _controlPlane = controlPlane;
        _signalingHttps = signalingHttps;
        Endpoints = endpoints;
        IceServers = iceServers;
        Signaling = signaling;
        _iceRefreshSubscription = signaling.ReconnectIceServer.Subscribe(_ => RefreshIceServersInBackground());
        _telemetry = telemetry.Watch(this);
    }

    /// <summary>The channel's ARN and the endpoints resolved for this role.</summary>
    public SignalingChannelEndpoints Endpoints { get; }

    /// <summary>The ICE servers to give a peer connection; cached until shortly before the TURN credentials expire.</summary>
    public IceServerProvider IceServers { get; }

    /// <summary>The connected signaling client (offers, answers, candidates as observables; typed sends).</summary>
    public SignalingClient Signaling { get; }

    /// <summary>Resolves the channel (creating it when allowed) and connects as its master.</summary>
    /// <remarks>
    /// Messages the service delivers right after the connect (for instance offers that viewers sent while no master was
    /// connected, buffered for the channel's MessageTtlSeconds) reach only subscribers that exist by then: to see
    /// them, use <see cref="OpenMasterAsync"/>, subscribe, then <see cref="ConnectAsync"/>.
    /// </remarks>
    /// <param name="options">Channel, region, credentials and endpoint overrides.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed (e.g. <see cref="SignalingError.ResourceNotFound"/>
    /// when the channel is missing and <see cref="KvsChannelOptions.CreateIfMissing"/> is off).</exception>
    /// <exception cref="SignalingException">The WebSocket could not be connected.</exception>
    public static async Task<KvsChannel> ConnectAsMasterAsync(KvsChannelOptions options, CancellationToken cancellationToken = default)
    {
        var channel = await OpenMasterAsync(options, cancellationToken).ConfigureAwait(false);
        return await ConnectOrDisposeAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves the channel (creating it when allowed) and connects as a viewer (see <see cref="ConnectAsMasterAsync"/> remarks).</summary>
    /// <param name="options">Channel, region, credentials and endpoint overrides.</param>
    /// <param name="clientId">This viewer's unique id on the channel: 1-256 of <c>[a-zA-Z0-9_.-]</c>, not starting with <c>AWS_</c>.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel.</returns>
    /// <exception cref="ArgumentException">An option or the client id is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed.</exception>
    /// <exception cref="SignalingException">The WebSocket could not be connected.</exception>
    public static async Task<KvsChannel> ConnectAsViewerAsync(KvsChannelOptions options, string clientId, CancellationToken cancellationToken = default)
    {
        var channel = await OpenViewerAsync(options, clientId, cancellationToken).ConfigureAwait(false);
        return await ConnectOrDisposeAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves the channel as master and prepares an unconnected <see cref="Signaling"/> client: subscribe to its
    /// observables, then call <see cref="ConnectAsync"/>.
    /// </summary>
    /// <param name="options">Channel, region, credentials and endpoint overrides.</param>
    /// <param name="cancellationToken">Cancels the control-plane calls.</param>
    /// <returns>The channel, not yet connected; dispose it in any case.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed.</exception>
    public static Task<KvsChannel> OpenMasterAsync(KvsChannelOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, clientId: null, useMediaStorage: false, cancellationToken);

    /// <summary>
    /// <see cref="OpenMasterAsync"/> for a master session; <paramref name="useMediaStorage"/> resolves the channel for
    /// WebRTC ingestion even when <see cref="KvsChannelOptions.UseMediaStorage"/> is off.
    /// </summary>
    internal static Task<KvsChannel> OpenMasterForSessionAsync(KvsChannelOptions options, bool useMediaStorage, CancellationToken cancellationToken) =>
        OpenAsync(options, clientId: null, useMediaStorage, cancellationToken);

    /// <summary>Resolves the channel as a viewer and prepares an unconnected <see cref="Signaling"/> client (see <see cref="OpenMasterAsync"/>).</summary>
    /// <param name="options">Channel, region, credentials and endpoint overrides.</param>
    /// <param name="clientId">This viewer's unique id on the channel.</param>
    /// <param name="cancellationToken">Cancels the control-plane calls.</param>
    /// <returns>The channel, not yet connected; dispose it in any case.</returns>
    /// <exception cref="ArgumentException">An option or the client id is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed.</exception>
    public static Task<KvsChannel> OpenViewerAsync(KvsChannelOptions options, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        return OpenAsync(options, clientId, useMediaStorage: false, cancellationToken);
    }

    /// <summary>Opens the signaling WebSocket of a channel from <see cref="OpenMasterAsync"/> or <see cref="OpenViewerAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>A task that completes when the WebSocket is open.</returns>
    /// <exception cref="InvalidOperationException">Already connected or connecting.</exception>
    /// <exception cref="SignalingException">The WebSocket could not be connected, or the channel was disposed.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        // A span of its own (a child of the session's connect span, if any); KVS signaling carries no trace context.
        using var activity = SessionTelemetry.Source.StartActivity("kvs.webrtc.signaling.connect", ActivityKind.Client);
        activity?.SetTag(SessionTelemetry.RoleTag, Signaling.IsMaster ? "master" : "viewer");
        try
        {
            await Signaling.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            SessionTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private static async Task<KvsChannel> ConnectOrDisposeAsync(KvsChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            await channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<KvsChannel> OpenAsync(KvsChannelOptions options, string? clientId, bool useMediaStorage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options.Snapshot();
        useMediaStorage |= options.UseMediaStorage;

        var credentials = options.Credentials ?? AwsSdkCredentialsProvider.CreateDefault();
        var timeProvider = options.TimeProvider ?? TimeProvider.System;
        var signer = options.Signer ?? new SigV4Signer(timeProvider);
        var controlPlane = new KinesisVideoClient(new KinesisVideoClientOptions
        {
            Region = options.Region,
            Credentials = credentials,
            ServiceUrl = options.ServiceUrl,
            HttpClient = options.HttpClient,
            Signer = signer,
            TimeProvider = timeProvider,
            LoggerFactory = options.LoggerFactory,
        });
        KinesisVideoSignalingClient? signalingHttps = null;
        try
        {
            var role = clientId is null ? ChannelRole.Master : ChannelRole.Viewer;
            var resolver = new SignalingChannelResolver(controlPlane, new SignalingChannelResolverOptions
            {
                CacheFilePath = options.EndpointCacheFile,
                TimeProvider = timeProvider,
            });
            var endpoints = await resolver.ResolveAsync(options.Channel, role, options.CreateIfMissing, cancellationToken).ConfigureAwait(false);
            if (useMediaStorage)
            {
                endpoints = await ResolveWithStorageAsync(controlPlane, options, endpoints, role, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            signalingHttps = controlPlane.CreateSignalingClient(endpoints.HttpsEndpoint);
            var iceServers = new IceServerProvider(signalingHttps, new IceServerProviderOptions
            {
                Region = endpoints.Region,
                ChannelArn = endpoints.ChannelArn,
                ClientId = clientId,
                IncludeTurn = options.UseTurn,
                IncludeStun = options.UseKvsStun ?? options.ServiceUrl is null,
                TimeProvider = timeProvider,
                LoggerFactory = options.LoggerFactory,
            });

            var signalingOptions = new SignalingClientOptions
            {
                ChannelArn = endpoints.ChannelArn,
                Endpoint = endpoints.WssEndpoint,
                Region = endpoints.Region,
                Credentials = credentials,
                Signer = signer,
                TimeProvider = timeProvider,
                ConfigureWebSocket = options.ConfigureWebSocket,
                LoggerFactory = options.LoggerFactory,
                // A master (a camera) must stay reachable through any outage: by default it never stops reconnecting.
                Reconnect = options.Reconnect ?? (clientId is null ? new SignalingReconnectPolicy { MaxAttempts = int.MaxValue } : new SignalingReconnectPolicy()),
                AllowUnaddressedMasterMessages = useMediaStorage && clientId is null,
            };
            var signaling = clientId is null
                ? SignalingClient.CreateMaster(signalingOptions)
                : SignalingClient.CreateViewer(signalingOptions, clientId);

            return new KvsChannel(controlPlane, signalingHttps, endpoints, iceServers, signaling, SessionTelemetry.For(options.MeterFactory), clientId);
        }
        catch
        {
            signalingHttps?.Dispose();
            controlPlane.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Joins the channel's storage session (WebRTC ingestion) on its WEBRTC endpoint: as the master
    /// (<c>JoinStorageSession</c>) on a master channel, as this viewer (<c>JoinStorageSessionAsViewer</c>) on a viewer
    /// channel. A master then receives the storage session's SDP offer (without sender id) over <see cref="Signaling"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the service accepted the join.</returns>
    /// <exception cref="InvalidOperationException">The channel was not opened with <see cref="KvsChannelOptions.UseMediaStorage"/>.</exception>
    /// <exception cref="SignalingException">The service refused the join or the call timed out.</exception>
    public Task JoinStorageSessionAsync(CancellationToken cancellationToken = default)
    {
        if (Endpoints.WebRtcEndpoint is not { } endpoint)
        {
            throw new InvalidOperationException("The channel was opened without UseMediaStorage: it has no WEBRTC endpoint.");
        }

        var storage = LazyInitializer.EnsureInitialized(ref _storage, () => _controlPlane.CreateWebRtcStorageClient(endpoint));
        return _clientId is null
            ? storage.JoinStorageSessionAsync(Endpoints.ChannelArn, cancellationToken)
            : storage.JoinStorageSessionAsViewerAsync(Endpoints.ChannelArn, _clientId, cancellationToken);
    }

    private static async Task<SignalingChannelEndpoints> ResolveWithStorageAsync(
        KinesisVideoClient controlPlane, KvsChannelOptions options, SignalingChannelEndpoints endpoints, ChannelRole role, TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        // The WEBRTC endpoint may only be requested when media storage is ENABLED: check first, for a clear error.
        var described = await controlPlane.DescribeMediaStorageConfigurationAsync(
            new DescribeMediaStorageConfigurationRequest { ChannelARN = endpoints.ChannelArn }, cancellationToken).ConfigureAwait(false);
        if (described.MediaStorageConfiguration?.Status != MediaStorageStatus.Enabled)
        {
            throw new KvsSessionException(
                KvsSessionError.MediaStorageNotEnabled,
                $"The signaling channel {options.Channel} has no media storage enabled (status {described.MediaStorageConfiguration?.Status?.Value ?? "none"}): " +
                "link it to a Kinesis video stream with UpdateMediaStorageConfiguration (Status ENABLED, StreamARN) before ingesting.");
        }

        var resolver = new SignalingChannelResolver(controlPlane, new SignalingChannelResolverOptions
        {
            // In memory only: a second resolver writing the same cache file would overwrite the first one's entries.
            TimeProvider = timeProvider,
            IncludeWebRtcEndpoint = true,
        });
        return await resolver.ResolveAsync(endpoints.ChannelArn, role, createIfMissing: false, cancellationToken).ConfigureAwait(false);
    }

    private void RefreshIceServersInBackground() => _ = RefreshIceServersQuietlyAsync();

    private async Task RefreshIceServersQuietlyAsync()
    {
        try
        {
            await IceServers.RefreshAsync().ConfigureAwait(false);
        }
        catch (SignalingException)
        {
            // The next GetIceServersAsync call retries the refresh and surfaces the error to its caller.
        }
    }

    /// <summary>Closes the signaling connection and releases the HTTP clients this channel owns.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _iceRefreshSubscription.Dispose();
        await Signaling.DisposeAsync().ConfigureAwait(false);
        _telemetry.Dispose();
        _signalingHttps.Dispose();
        _storage?.Dispose();
        _controlPlane.Dispose();
    }
}
