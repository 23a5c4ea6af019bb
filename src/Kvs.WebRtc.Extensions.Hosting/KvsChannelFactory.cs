using System.Diagnostics.Metrics;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kvs.WebRtc.Hosting;

/// <summary>
/// Opens signaling channels and sessions with the registered services: the configured channel and region, the
/// registered <see cref="IAwsCredentialsProvider"/>, <see cref="SigV4Signer"/>, <see cref="TimeProvider"/> and
/// <see cref="ILoggerFactory"/>, the host's <see cref="IMeterFactory"/> (metrics, see <c>docs/metrics.md</c>), and HTTP from <see cref="IHttpClientFactory"/> (client <see cref="KvsWebRtcOptions.HttpClientName"/>).
/// </summary>
/// <remarks>Registered as a singleton by <c>AddKvsWebRtc</c>. Thread-safe. Every method may name another channel than the configured one.</remarks>
/// <example>
/// <code>
/// var factory = services.GetRequiredService&lt;KvsChannelFactory&gt;();
/// await using var viewer = await ViewerSession.ConnectAsync(factory.CreateViewerSessionOptions("viewer-1"), cancellationToken);
/// </code>
/// </example>
public sealed class KvsChannelFactory
{
    private readonly IOptionsMonitor<KvsWebRtcOptions> _options;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMeterFactory? _meterFactory;

    internal KvsChannelFactory(
        IOptionsMonitor<KvsWebRtcOptions> options,
        IAwsCredentialsProvider credentials,
        SigV4Signer signer,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory = null)
    {
        _options = options;
        Credentials = credentials;
        Signer = signer;
        _httpClientFactory = httpClientFactory;
        TimeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _meterFactory = meterFactory;
    }

    /// <summary>The credentials every channel signs with.</summary>
    public IAwsCredentialsProvider Credentials { get; }

    /// <summary>The signer shared by every channel (one clock-skew correction for the app).</summary>
    public SigV4Signer Signer { get; }

    /// <summary>The clock given to every channel and session.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The current options (validated when the host started or when first read).</summary>
    public KvsWebRtcOptions Options => _options.CurrentValue;

    /// <summary>Channel options for <paramref name="role"/> from the configuration and the registered services.</summary>
    /// <param name="role">Master or viewer: decides the default reconnect limit (none for a master, 10 attempts for a viewer).</param>
    /// <param name="channel">Another channel's name or ARN; default the configured <see cref="KvsWebRtcOptions.Channel"/>.</param>
    /// <returns>Options for <see cref="KvsChannel"/>, <see cref="MasterSession"/> or <see cref="ViewerSession"/>.</returns>
    /// <exception cref="OptionsValidationException">The configuration is invalid.</exception>
    public KvsChannelOptions CreateChannelOptions(ChannelRole role, string? channel = null)
    {
        var options = _options.CurrentValue;
        return new KvsChannelOptions
        {
            Channel = channel ?? options.Channel!,
            Region = options.Region!,
            Credentials = Credentials,
            Signer = Signer,
            ServiceUrl = string.IsNullOrEmpty(options.ServiceUrl) ? null : new Uri(options.ServiceUrl, UriKind.Absolute),
            CreateIfMissing = options.CreateIfMissing,
            UseTurn = options.Ice.UseTurn,
            UseKvsStun = options.Ice.UseKvsStun,
            EndpointCacheFile = options.EndpointCacheFile,
            HttpClient = _httpClientFactory.CreateClient(KvsWebRtcOptions.HttpClientName),
            Reconnect = options.Reconnect.ToPolicy(master: role == ChannelRole.Master),
            TimeProvider = TimeProvider,
            LoggerFactory = _loggerFactory,
            MeterFactory = _meterFactory,
        };
    }

    /// <summary>Master session options: the channel options plus the configured viewer limits (<c>Kvs:Master</c>).</summary>
    /// <param name="channel">Another channel's name or ARN; default the configured one.</param>
    /// <returns>Options for <see cref="MasterSession.StartAsync"/>; add tracks and a peer configuration with <c>with</c>.</returns>
    /// <exception cref="OptionsValidationException">The configuration is invalid.</exception>
    public MasterSessionOptions CreateMasterSessionOptions(string? channel = null) => new()
    {
        Channel = CreateChannelOptions(ChannelRole.Master, channel),
        MaxViewers = _options.CurrentValue.Master.MaxViewers,
        ViewerConnectTimeout = _options.CurrentValue.Master.ViewerConnectTimeout,
    };

    /// <summary>Viewer session options on the configured (or given) channel.</summary>
    /// <param name="clientId">This viewer's unique id on the channel.</param>
    /// <param name="channel">Another channel's name or ARN; default the configured one.</param>
    /// <returns>Options for <see cref="ViewerSession.ConnectAsync"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is null or empty.</exception>
    /// <exception cref="OptionsValidationException">The configuration is invalid.</exception>
    public ViewerSessionOptions CreateViewerSessionOptions(string clientId, string? channel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        return new ViewerSessionOptions { Channel = CreateChannelOptions(ChannelRole.Viewer, channel), ClientId = clientId };
    }

    /// <summary>Resolves the channel and connects its signaling client as master (see <see cref="KvsChannel.ConnectAsMasterAsync"/>).</summary>
    /// <param name="channel">Another channel's name or ARN; default the configured one.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel; dispose it.</returns>
    public Task<KvsChannel> ConnectAsMasterAsync(string? channel = null, CancellationToken cancellationToken = default) =>
        KvsChannel.ConnectAsMasterAsync(CreateChannelOptions(ChannelRole.Master, channel), cancellationToken);

    /// <summary>Resolves the channel and connects its signaling client as a viewer (see <see cref="KvsChannel.ConnectAsViewerAsync"/>).</summary>
    /// <param name="clientId">This viewer's unique id on the channel.</param>
    /// <param name="channel">Another channel's name or ARN; default the configured one.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel; dispose it.</returns>
    public Task<KvsChannel> ConnectAsViewerAsync(string clientId, string? channel = null, CancellationToken cancellationToken = default) =>
        KvsChannel.ConnectAsViewerAsync(CreateChannelOptions(ChannelRole.Viewer, channel), clientId, cancellationToken);
}
