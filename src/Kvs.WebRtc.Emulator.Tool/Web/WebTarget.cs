using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Signaling.IceServers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>
/// The KVS service the browser page talks to, called from the server with our own client library: the control plane
/// (DescribeSignalingChannel / GetSignalingChannelEndpoint through <see cref="SignalingChannelResolver"/>),
/// GetIceServerConfig (<see cref="IceServerProvider"/>) and the SigV4 presigner. The credentials stay here; the page only
/// receives channel ARNs, endpoints, short-lived TURN credentials and presigned URLs.
/// </summary>
/// <remarks>Thread-safe. Control-plane calls are limited to <see cref="MaxConcurrentCalls"/> at once.</remarks>
internal sealed class WebTarget : IDisposable
{
    /// <summary>Most control-plane calls in flight at once; further requests wait up to 10 s, then get 503.</summary>
    public const int MaxConcurrentCalls = 4;

    /// <summary>How far ahead of the clock a signing time may be pushed to keep URLs unique before requests get 429.</summary>
    public static readonly TimeSpan MaxSigningLead = TimeSpan.FromSeconds(60);

    private const int MaxSigningKeys = 4096;
    private static readonly TimeSpan s_callWait = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly KinesisVideoClient _client;
    private readonly SignalingChannelResolver _resolver;
    private readonly SigV4Signer _signer;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly SemaphoreSlim _calls = new(MaxConcurrentCalls, MaxConcurrentCalls);
    private readonly Dictionary<string, DateTimeOffset> _lastSigned = new(StringComparer.Ordinal);
    private readonly bool _includeStun;

    private WebTarget(string name, string region, Uri? serviceUrl, IAwsCredentialsProvider credentials, bool createChannels, bool includeStun, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        Name = name;
        Region = region;
        CreateChannels = createChannels;
        _includeStun = includeStun;
        _credentials = credentials;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _signer = new SigV4Signer(timeProvider);
        _client = new KinesisVideoClient(new KinesisVideoClientOptions
        {
            Region = region,
            Credentials = credentials,
            ServiceUrl = serviceUrl,
            HttpClient = _http,
            Signer = _signer,
            TimeProvider = timeProvider,
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
        });
        _resolver = new SignalingChannelResolver(_client, new SignalingChannelResolverOptions { CacheDuration = TimeSpan.FromMinutes(5), ActivationPollInterval = TimeSpan.FromMilliseconds(200) });
    }

    /// <summary><c>emulator</c> or <c>aws</c>, shown on the page.</summary>
    public string Name { get; }

    /// <summary>The region.</summary>
    public string Region { get; }

    /// <summary>Whether a channel that does not exist is created (emulator: yes; AWS: no, create it in the console or CLI).</summary>
    public bool CreateChannels { get; }

    /// <summary>
    /// A target of a local emulator (or any KVS-compatible endpoint) at <paramref name="serviceUrl"/>: channels are created
    /// on demand and no public STUN server is handed to the page (nothing leaves the machine).
    /// </summary>
    public static WebTarget ForEmulator(Uri serviceUrl, string region, AwsCredentialsSnapshot credentials, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ArgumentNullException.ThrowIfNull(credentials);
        return new WebTarget("emulator", region, serviceUrl, new StaticCredentialsProvider(credentials), createChannels: true, includeStun: false, timeProvider, loggerFactory);
    }

    /// <summary>A target of real AWS in <paramref name="region"/> with these credentials (e.g. the SDK's default chain).</summary>
    public static WebTarget ForAws(string region, IAwsCredentialsProvider credentials, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(credentials);
        return new WebTarget("aws", region, serviceUrl: null, credentials, createChannels: false, includeStun: true, timeProvider: null, loggerFactory);
    }

    /// <summary>Resolves a channel by name for a role and fetches its ICE servers.</summary>
    /// <exception cref="WebApiException">The channel does not exist (404), the service failed (502) or is busy (503).</exception>
    public async Task<WebConnectInfo> ConnectAsync(string channelName, bool isMaster, string? clientId, CancellationToken cancellationToken)
    {
        return await CallAsync(async () =>
        {
            var role = isMaster ? ChannelRole.Master : ChannelRole.Viewer;
            var endpoints = await _resolver.ResolveAsync(channelName, role, CreateChannels, cancellationToken).ConfigureAwait(false);
            using var signaling = _client.CreateSignalingClient(endpoints.HttpsEndpoint);
            var ice = new IceServerProvider(signaling, new IceServerProviderOptions
            {
                Region = endpoints.Region, ChannelArn = endpoints.ChannelArn, ClientId = isMaster ? null : clientId, IncludeStun = _includeStun,
            });
            var servers = await ice.GetIceServersAsync(cancellationToken).ConfigureAwait(false);
            return new WebConnectInfo(endpoints.ChannelArn, endpoints.Region, isMaster, endpoints.WssEndpoint, servers);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Presigns the WebSocket URL of a channel for a role. Only the channel's own endpoint (as GetSignalingChannelEndpoint
    /// returns it) is signed, with exactly the SDK's parameters, so this is no general signing service. Every URL is unique:
    /// a second request for the same parameters within a second is signed for the next second (the service refuses a
    /// replayed URL).
    /// </summary>
    /// <exception cref="WebApiException">The endpoint is not the channel's (400), too many signatures were asked for (429), or a service error.</exception>
    public async Task<string> PresignAsync(string endpoint, string channelArn, bool isMaster, string? clientId, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || endpointUri.Scheme is not ("wss" or "ws"))
        {
            throw new WebApiException(400, "endpoint must be an absolute wss:// (or ws://) URL.");
        }

        var role = isMaster ? ChannelRole.Master : ChannelRole.Viewer;
        var endpoints = await CallAsync(() => _resolver.ResolveAsync(channelArn, role, createIfMissing: false, cancellationToken)).ConfigureAwait(false);
        if (endpointUri != endpoints.WssEndpoint)
        {
            throw new WebApiException(400, "endpoint is not this channel's signaling endpoint for the role.");
        }

        List<KeyValuePair<string, string>> query = [new("X-Amz-ChannelARN", endpoints.ChannelArn)];
        if (!isMaster)
        {
            query.Add(new("X-Amz-ClientId", clientId ?? throw new WebApiException(400, "a viewer needs a clientId.")));
        }

        var signingTime = NextSigningTime(endpoints.ChannelArn + "|" + role.Value + "|" + clientId);
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return _signer.PresignUrl(endpoints.WssEndpoint.ToString(), query, credentials, endpoints.Region, signingTime: signingTime);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _calls.Dispose();
    }

    private DateTimeOffset NextSigningTime(string key)
    {
        var now = _signer.GetSigningTime();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), now.Offset);
        lock (_lastSigned)
        {
            if (_lastSigned.Count >= MaxSigningKeys)
            {
                // Entries before the current second cannot collide any more.
                foreach (var stale in _lastSigned.Where(e => e.Value < now).Select(e => e.Key).ToList())
                {
                    _lastSigned.Remove(stale);
                }

                if (_lastSigned.Count >= MaxSigningKeys)
                {
                    throw new WebApiException(429, "Too many connection attempts; try again in a minute.");
                }
            }

            var time = _lastSigned.TryGetValue(key, out var last) && last >= now ? last.AddSeconds(1) : now;
            if (time - now > MaxSigningLead)
            {
                throw new WebApiException(429, "Too many connection attempts for this channel and client id; try again in a minute.");
            }

            _lastSigned[key] = time;
            return time;
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        if (!await _calls.WaitAsync(s_callWait).ConfigureAwait(false))
        {
            throw new WebApiException(503, "The server is busy with other requests; try again.");
        }

        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SignalingException ex) when (ex.Error == SignalingError.ResourceNotFound)
        {
            throw new WebApiException(404, CreateChannels ? "The channel does not exist." : "The channel does not exist; create it first (console or CLI).");
        }
        catch (ArgumentException ex)
        {
            throw new WebApiException(400, ex.Message);
        }
        catch (SignalingException ex)
        {
            throw new WebApiException(502, $"Kinesis Video Streams refused the call ({ex.ErrorCode ?? ex.Error.ToString()}): {ex.Message}");
        }
        finally
        {
            _calls.Release();
        }
    }
}
