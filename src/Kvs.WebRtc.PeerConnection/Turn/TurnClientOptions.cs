using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Settings of one TURN client session (sans-IO core).</summary>
/// <remarks>RFC 8656. The password is a secret: <see cref="ToString"/> leaves it out.</remarks>
internal sealed record TurnClientOptions
{
    /// <summary>Long-term credential user name.</summary>
    public required string Username { get; init; }

    /// <summary>Long-term credential password. Secret.</summary>
    public required string Password { get; init; }

    /// <summary>True over TCP/TLS: requests are sent once (RFC 8489 §6.2.2) and ChannelData is padded (RFC 8656 §12.5).</summary>
    public bool IsReliableTransport { get; init; }

    /// <summary>LIFETIME asked for in Allocate and Refresh. Default 600 s (RFC 8656 §7.2 default).</summary>
    public TimeSpan RequestedLifetime { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How often permissions are refreshed (they last 300 s, RFC 8656 §9). Default 240 s.</summary>
    public TimeSpan PermissionRefreshInterval { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>How often channel bindings are refreshed (they last 600 s, RFC 8656 §12). Default 540 s.</summary>
    public TimeSpan ChannelRefreshInterval { get; init; } = TimeSpan.FromSeconds(540);

    /// <summary>Cap on permissions (peer IP addresses). Default 64.</summary>
    public int MaxPermissions { get; init; } = 64;

    /// <summary>Cap on channel bindings (at most 4,096 numbers exist). Default 64.</summary>
    public int MaxChannels { get; init; } = 64;

    /// <summary>Cap on requests in flight. Default 64.</summary>
    public int MaxPendingRequests { get; init; } = 64;

    /// <summary>How many 438 (Stale Nonce) retries one request may make. Default 3.</summary>
    public int MaxStaleNonceRetries { get; init; } = 3;

    /// <summary>Request retransmission timing (used on UDP).</summary>
    public StunRetransmissionOptions Retransmission { get; init; } = StunRetransmissionOptions.Default;

    /// <summary>SOFTWARE sent in requests, or null for none.</summary>
    public string? Software { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Username);
        ArgumentNullException.ThrowIfNull(Password);
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestedLifetime, TimeSpan.FromSeconds(1), nameof(RequestedLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PermissionRefreshInterval, TimeSpan.Zero, nameof(PermissionRefreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ChannelRefreshInterval, TimeSpan.Zero, nameof(ChannelRefreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPermissions, 1, nameof(MaxPermissions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChannels, 0, nameof(MaxChannels));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxChannels, TurnChannelData.MaxChannel - TurnChannelData.MinChannel + 1, nameof(MaxChannels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1, nameof(MaxPendingRequests));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStaleNonceRetries, nameof(MaxStaleNonceRetries));
        ArgumentNullException.ThrowIfNull(Retransmission);
        Retransmission.Validate();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"TurnClientOptions {{ Username = {Username}, Password = ***, Reliable = {IsReliableTransport}, Lifetime = {RequestedLifetime} }}";
}
