using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.IceServers;

/// <summary>Configuration of <see cref="IceServerProvider"/>.</summary>
public sealed class IceServerProviderOptions
{
    /// <summary>Creates options with the defaults (set the members an initializer requires).</summary>
    public IceServerProviderOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="other"/>, to adjust with an object initializer.</summary>
    /// <param name="other">The options to copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    [SetsRequiredMembers]
    public IceServerProviderOptions(IceServerProviderOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Region = other.Region;
        ChannelArn = other.ChannelArn;
        ClientId = other.ClientId;
        UseFips = other.UseFips;
        UseDualStack = other.UseDualStack;
        IncludeStun = other.IncludeStun;
        IncludeTurn = other.IncludeTurn;
        RefreshMargin = other.RefreshMargin;
        TimeProvider = other.TimeProvider;
        LoggerFactory = other.LoggerFactory;
    }

    /// <summary>The default of <see cref="RefreshMargin"/>: 30 seconds (as the KVS C SDK).</summary>
    public static readonly TimeSpan DefaultRefreshMargin = TimeSpan.FromSeconds(30);

    /// <summary>The AWS region of the channel, e.g. <c>us-west-2</c>; selects the STUN host. Required.</summary>
    public required string Region { get; init; }

    /// <summary>The channel ARN sent to GetIceServerConfig. Required when <see cref="IncludeTurn"/> is true.</summary>
    public string? ChannelArn { get; init; }

    /// <summary>The client id sent to GetIceServerConfig (1-256 of <c>[a-zA-Z0-9_.-]</c>), or null to omit it.</summary>
    public string? ClientId { get; init; }

    /// <summary>Use the FIPS STUN host (<c>stuns:stun.kinesisvideo-fips…</c>). Default false.</summary>
    public bool UseFips { get; init; }

    /// <summary>Use the dual-stack STUN host suffix. Default false.</summary>
    public bool UseDualStack { get; init; }

    /// <summary>Return the synthesised KVS STUN server. Default true.</summary>
    public bool IncludeStun { get; init; } = true;

    /// <summary>Fetch and return TURN servers from GetIceServerConfig. Default true.</summary>
    public bool IncludeTurn { get; init; } = true;

    /// <summary>
    /// How long before the shortest TURN TTL expires the cache is considered stale. A TTL at or below the margin (or
    /// a missing TTL) makes every call fetch afresh. Must not be negative. Default 30 s.
    /// </summary>
    public TimeSpan RefreshMargin { get; init; } = DefaultRefreshMargin;

    /// <summary>The clock of the cache. Default null: <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The logger factory. Default null: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
