using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling;

/// <summary>Settings of a <see cref="SignalingClient"/>. Validated when the client connects.</summary>
/// <remarks>
/// The endpoint is the role-specific <c>WSS</c> <c>ResourceEndpoint</c> returned by <c>GetSignalingChannelEndpoint</c>
/// (master and viewer endpoints differ). Immutable and thread-safe.
/// </remarks>
public sealed class SignalingClientOptions
{
    /// <summary>Creates options with the defaults (set the members an initializer requires).</summary>
    public SignalingClientOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="other"/>, to adjust with an object initializer.</summary>
    /// <param name="other">The options to copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    [SetsRequiredMembers]
    public SignalingClientOptions(SignalingClientOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ChannelArn = other.ChannelArn;
        Endpoint = other.Endpoint;
        Region = other.Region;
        Credentials = other.Credentials;
        Signer = other.Signer;
        TimeProvider = other.TimeProvider;
        Reconnect = other.Reconnect;
        KeepAliveInterval = other.KeepAliveInterval;
        SendTimeout = other.SendTimeout;
        ConnectTimeout = other.ConnectTimeout;
        CloseTimeout = other.CloseTimeout;
        MaxConnectionAge = other.MaxConnectionAge;
        SendQueueCapacity = other.SendQueueCapacity;
        ConfigureWebSocket = other.ConfigureWebSocket;
        AllowUnaddressedMasterMessages = other.AllowUnaddressedMasterMessages;
        LoggerFactory = other.LoggerFactory;
    }

    /// <summary>The signaling channel ARN, sent as <c>X-Amz-ChannelARN</c>. Required.</summary>
    public required string ChannelArn { get; init; }

    /// <summary>The WebSocket endpoint (<c>wss://</c>, or <c>ws://</c> for a local emulator), without a query. Required.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The channel's region, used in the signature scope (e.g. <c>us-west-2</c>). Required.</summary>
    public required string Region { get; init; }

    /// <summary>Where credentials come from; asked again before every (re)connect. Required.</summary>
    public required IAwsCredentialsProvider Credentials { get; init; }

    /// <summary>The signer (carries the clock and the clock-skew offset). Default: a new <see cref="SigV4Signer"/> on <see cref="TimeProvider"/>.</summary>
    public SigV4Signer? Signer { get; init; }

    /// <summary>The clock for timeouts, back-off delays and the connection-age timer. Default: the signer's clock, else <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The reconnect policy. Default: enabled, 100 ms doubling to 10 s with jitter, 10 attempts.</summary>
    public SignalingReconnectPolicy Reconnect { get; init; } = new();

    /// <summary>The WebSocket ping interval (<see cref="ClientWebSocketOptions.KeepAliveInterval"/>). Default 10 s (as the C SDK); <see cref="TimeSpan.Zero"/> disables pings.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time one frame may take to be written to the socket; on expiry the connection is dropped and the frame retried after reconnect. Default 5 s.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest time one connection attempt (credentials, signing, WebSocket upgrade) may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time the graceful close handshake (status 1000) may take on dispose or reconnect. Default 2 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The age at which the client proactively replaces its connection (the service closes connections after 1 hour).
    /// Default 50 minutes; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromMinutes(50);

    /// <summary>How many outgoing messages may wait for the socket (while reconnecting, for instance); further sends wait for room. Default 1024.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>
    /// Called on every new <see cref="ClientWebSocketOptions"/> before connecting: proxy, TLS trust (e.g.
    /// <see cref="ClientWebSocketOptions.RemoteCertificateValidationCallback"/> for an emulator's self-signed certificate),
    /// headers. Must not change the request URI.
    /// </summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; init; }

    /// <summary>
    /// Lets a master send without a <c>recipientClientId</c>: its answer and candidates for the KVS storage session (WebRTC
    /// ingestion), whose offer carries no sender id. Off by default, so that a master's message names its viewer.
    /// </summary>
    public bool AllowUnaddressedMasterMessages { get; init; }

    /// <summary>The logger factory. Default: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal void Validate(string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(ChannelArn, paramName);
        ArgumentNullException.ThrowIfNull(Endpoint, paramName);
        ArgumentException.ThrowIfNullOrEmpty(Region, paramName);
        ArgumentNullException.ThrowIfNull(Credentials, paramName);
        ArgumentNullException.ThrowIfNull(Reconnect, paramName);
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != "wss" && Endpoint.Scheme != "ws"))
        {
            throw new ArgumentException("Endpoint must be an absolute wss:// or ws:// URI.", paramName);
        }

        if (!string.IsNullOrEmpty(Endpoint.Query))
        {
            throw new ArgumentException("Endpoint must not have a query.", paramName);
        }

        Reconnect.Validate(paramName);
        RequirePositive(SendTimeout, nameof(SendTimeout), paramName);
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout), paramName);
        RequirePositive(CloseTimeout, nameof(CloseTimeout), paramName);
        if (MaxConnectionAge != Timeout.InfiniteTimeSpan)
        {
            RequirePositive(MaxConnectionAge, nameof(MaxConnectionAge), paramName);
        }

        if (KeepAliveInterval < TimeSpan.Zero && KeepAliveInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, KeepAliveInterval, "KeepAliveInterval must not be negative.");
        }

        if (SendQueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, SendQueueCapacity, "SendQueueCapacity must be at least 1.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name, string paramName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, value, name + " must be positive.");
        }
    }
}
