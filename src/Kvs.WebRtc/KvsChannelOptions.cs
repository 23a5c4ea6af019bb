using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc;

/// <summary>Where and how a <see cref="KvsChannel"/> connects.</summary>
/// <remarks>
/// Set the properties, then pass the options to <see cref="KvsChannel"/> or a session: they are validated there (an
/// <see cref="ArgumentException"/> names the property that is wrong) and copied, so later changes to this instance do
/// not reach a channel or session already opened. Equality is by reference: the options hold clients, factories and
/// delegates that have no meaningful value equality.
/// </remarks>
public sealed class KvsChannelOptions
{
    /// <summary>The signaling channel's name (1-256 of <c>[a-zA-Z0-9_.-]</c>) or its ARN. Required.</summary>
    public required string Channel { get; set; }

    /// <summary>The AWS region of the channel, e.g. <c>us-west-2</c>. Required.</summary>
    public required string Region { get; set; }

    /// <summary>
    /// Where credentials come from. Default: the AWS default credential chain (environment, profile, SSO, container,
    /// instance metadata) through AWSSDK.Core.
    /// </summary>
    public IAwsCredentialsProvider? Credentials { get; set; }

    /// <summary>
    /// Overrides the control-plane endpoint, e.g. a local emulator's <c>ServiceUrl</c>. Default: the regional KVS
    /// endpoint.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Creates the channel (SINGLE_MASTER) when it does not exist. Default <see langword="true"/>.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Asks GetIceServerConfig for TURN servers (besides the KVS STUN server). Default <see langword="true"/>.</summary>
    public bool UseTurn { get; set; } = true;

    /// <summary>
    /// Resolve the channel for WebRTC ingestion: check with DescribeMediaStorageConfiguration that the channel records
    /// into a stream and also fetch its WEBRTC endpoint (<see cref="KvsChannel.JoinStorageSessionAsync"/>). Opening fails
    /// with <see cref="KvsSessionException"/> (<see cref="KvsSessionError.MediaStorageNotEnabled"/>) when the channel has no media storage ENABLED. Default false.
    /// </summary>
    public bool UseMediaStorage { get; set; }

    /// <summary>
    /// Adds the region's public KVS STUN server (<c>stun:stun.kinesisvideo.{region}.amazonaws.com:443</c>) to the ICE
    /// servers. Default (null): true against AWS, false when <see cref="ServiceUrl"/> is overridden (a local emulator), so
    /// that a local run resolves and contacts nothing off the machine; GetIceServerConfig's own servers are used either way.
    /// </summary>
    public bool? UseKvsStun { get; set; }

    /// <summary>
    /// Persists resolved endpoints in this file so a restarted device skips the control plane (as the KVS C SDK's
    /// file cache does). Default: in-memory caching only.
    /// </summary>
    public string? EndpointCacheFile { get; set; }

    /// <summary>Adjusts the WebSocket (e.g. trusts a local emulator's self-signed certificate). Default: none.</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>The HTTP client for control-plane and GetIceServerConfig calls. Default: one owned by the channel.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// The reconnect policy of the signaling connection. Default: <see cref="SignalingReconnectPolicy"/> defaults (jittered
    /// back-off from 100 ms to 10 s), with no attempt limit for a master — a device never gives up reconnecting — and
    /// 10 attempts for a viewer.
    /// </summary>
    public SignalingReconnectPolicy? Reconnect { get; set; }

    /// <summary>
    /// The SigV4 signer of the control-plane calls and the signaling URL (share one to share its clock-skew correction).
    /// Default: a new signer on <see cref="TimeProvider"/>.
    /// </summary>
    public SigV4Signer? Signer { get; set; }

    /// <summary>The clock. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>The logger factory. Default: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Where the channel's, its sessions' and their peer connections' instruments live: a meter named
    /// <see cref="Kvs.WebRtc.PeerConnection.Diagnostics.KvsWebRtcDiagnostics.MeterName"/> created by this factory (e.g. the
    /// host's, from dependency injection). Default (null): the process-wide meter of that name. See <c>docs/metrics.md</c>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property that is missing or out of range.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Channel))
        {
            throw new ArgumentException("Channel (the signaling channel's name or ARN) is required.", nameof(Channel));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException("Region (e.g. us-west-2) is required.", nameof(Region));
        }

        if (ServiceUrl is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"ServiceUrl '{ServiceUrl}' must be an absolute URI.", nameof(ServiceUrl));
        }

        if (EndpointCacheFile is { Length: 0 })
        {
            throw new ArgumentException("EndpointCacheFile must be null (no file) or a path.", nameof(EndpointCacheFile));
        }
    }

    /// <summary>A copy taken at the door, so later changes to this instance do not reach an opened channel or session.</summary>
    internal KvsChannelOptions Snapshot() => new()
    {
        Channel = Channel,
        Region = Region,
        Credentials = Credentials,
        ServiceUrl = ServiceUrl,
        CreateIfMissing = CreateIfMissing,
        UseTurn = UseTurn,
        UseMediaStorage = UseMediaStorage,
        UseKvsStun = UseKvsStun,
        EndpointCacheFile = EndpointCacheFile,
        ConfigureWebSocket = ConfigureWebSocket,
        HttpClient = HttpClient,
        Reconnect = Reconnect,
        Signer = Signer,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
        MeterFactory = MeterFactory,
    };
}
