using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>Configuration of <see cref="SignalingChannelResolver"/>.</summary>
public sealed class SignalingChannelResolverOptions
{
    /// <summary>Creates options with the defaults (set the members an initializer requires).</summary>
    public SignalingChannelResolverOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="other"/>, to adjust with an object initializer.</summary>
    /// <param name="other">The options to copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public SignalingChannelResolverOptions(SignalingChannelResolverOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CacheDuration = other.CacheDuration;
        CacheFilePath = other.CacheFilePath;
        IncludeWebRtcEndpoint = other.IncludeWebRtcEndpoint;
        ChannelTypeForCreate = other.ChannelTypeForCreate;
        MessageTtlSecondsForCreate = other.MessageTtlSecondsForCreate;
        ActivationPollInterval = other.ActivationPollInterval;
        MaxActivationPolls = other.MaxActivationPolls;
        TimeProvider = other.TimeProvider;
        LoggerFactory = other.LoggerFactory;
    }

    /// <summary>The default of <see cref="CacheDuration"/>: 10 hours (as the KVS C SDK).</summary>
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromHours(10);

    /// <summary>How long a resolution is reused; <see cref="TimeSpan.Zero"/> disables caching. Default 10 h.</summary>
    public TimeSpan CacheDuration { get; init; } = DefaultCacheDuration;

    /// <summary>
    /// A JSON file that persists resolutions across restarts, or null (default) for memory only. A corrupt or
    /// unreadable file is deleted and ignored (logged as a warning). The file holds ARNs and endpoints, no secrets.
    /// </summary>
    public string? CacheFilePath { get; init; }

    /// <summary>Also request the <see cref="ChannelProtocol.WebRtc"/> endpoint (media storage channels only). Default false.</summary>
    public bool IncludeWebRtcEndpoint { get; init; }

    /// <summary>The type of channels created when <c>createIfMissing</c> is true. Default null: the service default (SINGLE_MASTER).</summary>
    public ChannelType? ChannelTypeForCreate { get; init; }

    /// <summary>The message TTL of created channels (5-120 s), or null for the service default (60 s).</summary>
    public int? MessageTtlSecondsForCreate { get; init; }

    /// <summary>How often a newly created channel is described until it is ACTIVE. Default 1 s.</summary>
    public TimeSpan ActivationPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a newly created channel is described before giving up. Default 30.</summary>
    public int MaxActivationPolls { get; init; } = 30;

    /// <summary>The clock of cache expiry and polling. Default null: the client's clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The logger factory. Default null: the client's.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
