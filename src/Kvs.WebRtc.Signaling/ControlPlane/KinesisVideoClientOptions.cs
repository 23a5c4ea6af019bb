using System.Diagnostics.CodeAnalysis;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// Configuration of <see cref="KinesisVideoClient"/> (control plane) and <see cref="KinesisVideoSignalingClient"/>
/// (signaling HTTPS API). Validated when a client is constructed.
/// </summary>
/// <remarks>
/// The same record serves both clients: for <see cref="KinesisVideoSignalingClient"/>, <see cref="ServiceUrl"/> is the
/// channel's <see cref="Model.ChannelProtocol.Https"/> endpoint (copy an existing instance with
/// <c>options with { ServiceUrl = httpsEndpoint }</c>).
/// </remarks>
public sealed class KinesisVideoClientOptions
{
    /// <summary>Creates options with the defaults (set the members an initializer requires).</summary>
    public KinesisVideoClientOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="other"/>, to adjust with an object initializer.</summary>
    /// <param name="other">The options to copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    [SetsRequiredMembers]
    public KinesisVideoClientOptions(KinesisVideoClientOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Region = other.Region;
        Credentials = other.Credentials;
        ServiceUrl = other.ServiceUrl;
        UseFips = other.UseFips;
        UseDualStack = other.UseDualStack;
        HttpClient = other.HttpClient;
        Signer = other.Signer;
        TimeProvider = other.TimeProvider;
        Timeout = other.Timeout;
        MaxErrorRetries = other.MaxErrorRetries;
        RetryBaseDelay = other.RetryBaseDelay;
        RetryMaxDelay = other.RetryMaxDelay;
        MaxResponseBytes = other.MaxResponseBytes;
        LoggerFactory = other.LoggerFactory;
    }

    /// <summary>The default of <see cref="Timeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="MaxResponseBytes"/>: 4 MiB.</summary>
    public const int DefaultMaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The AWS region, e.g. <c>us-west-2</c>: the SigV4 credential-scope region, and (without <see cref="ServiceUrl"/>)
    /// the region of the endpoint. Required.
    /// </summary>
    public required string Region { get; init; }

    /// <summary>The credentials; asked for fresh credentials before every signature. Required.</summary>
    public required IAwsCredentialsProvider Credentials { get; init; }

    /// <summary>
    /// Overrides the endpoint (an emulator, a VPC endpoint, or the channel's HTTPS endpoint for
    /// <see cref="KinesisVideoSignalingClient"/>); used verbatim, <c>http</c> or <c>https</c>, a path prefix is kept.
    /// Combining it with <see cref="UseFips"/> or <see cref="UseDualStack"/> is a configuration error.
    /// Default <see langword="null"/>: <c>https://kinesisvideo.{region}.{partition suffix}</c>.
    /// </summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Use the FIPS endpoint (<c>kinesisvideo-fips.{region}…</c>). Default <see langword="false"/>.</summary>
    public bool UseFips { get; init; }

    /// <summary>Use the dual-stack (IPv6) endpoint (<c>…{region}.api.aws</c>). Default <see langword="false"/>.</summary>
    public bool UseDualStack { get; init; }

    /// <summary>
    /// The HTTP client to send with (e.g. from <c>IHttpClientFactory</c>); not disposed by the client. Default
    /// <see langword="null"/>: the client creates one and disposes it with itself.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// The signer, whose <see cref="SigV4Signer.ClockOffset"/> the client corrects when the service reports clock
    /// skew. Share one instance with the signaling WebSocket client so presigned URLs benefit from the correction.
    /// Default <see langword="null"/>: a new signer over <see cref="TimeProvider"/>.
    /// </summary>
    public SigV4Signer? Signer { get; init; }

    /// <summary>The clock for signing, timeouts and retry delays. Default <see langword="null"/>: <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>
    /// Deadline of one API call, including its retries and back-off delays; expiry raises
    /// <see cref="SignalingError.RequestTimeout"/>. Must be positive or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.
    /// Default 10 s.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// How many times a throttled (<c>ClientLimitExceededException</c>, <c>ThrottlingException</c>, HTTP 429), 5xx or
    /// transient network failure is retried, with jittered exponential back-off; 0 disables retries. Default 3.
    /// </summary>
    public int MaxErrorRetries { get; init; } = 3;

    /// <summary>
    /// The first back-off delay; the n-th retry waits a random time between half and all of
    /// <c>min(RetryBaseDelay × 2ⁿ, RetryMaxDelay)</c>. <see cref="TimeSpan.Zero"/> retries at once. Default 100 ms.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The cap of one back-off delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest response body accepted, in bytes; a larger one raises <see cref="SignalingException"/> with
    /// <see cref="SignalingError.ResponseTooLarge"/>. Default 4 MiB.
    /// </summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>The logger factory. Default <see langword="null"/>: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
