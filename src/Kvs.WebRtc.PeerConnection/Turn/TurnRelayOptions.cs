using System.Net.Security;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Settings of <see cref="TurnRelayFactory"/> and the allocations it creates.</summary>
internal sealed record TurnRelayOptions
{
    /// <summary>The defaults.</summary>
    public static TurnRelayOptions Default { get; } = new();

    /// <summary>Longest wait for an allocation (connect, TLS handshake, 401 round trip). Default 15 s.</summary>
    public TimeSpan AllocateTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest wait for a permission to be installed. Default 10 s.</summary>
    public TimeSpan PermissionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long disposal waits for the LIFETIME 0 Refresh to be answered. Default 1 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>LIFETIME asked for. Default 600 s.</summary>
    public TimeSpan RequestedLifetime { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Bind a channel to each peer we send to, so data travels as ChannelData (4-byte header). Default true.</summary>
    public bool UseChannels { get; init; } = true;

    /// <summary>How often permissions are refreshed (they last 300 s). Default 240 s.</summary>
    public TimeSpan PermissionRefreshInterval { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>How often channel bindings are refreshed (they last 600 s). Default 540 s.</summary>
    public TimeSpan ChannelRefreshInterval { get; init; } = TimeSpan.FromSeconds(540);

    /// <summary>Cap on permissions per allocation. Default 64.</summary>
    public int MaxPermissions { get; init; } = 64;

    /// <summary>Cap on channels per allocation. Default 64.</summary>
    public int MaxChannels { get; init; } = 64;

    /// <summary>Request retransmission timing on UDP.</summary>
    public StunRetransmissionOptions Retransmission { get; init; } = StunRetransmissionOptions.Default;

    /// <summary>
    /// For <c>turns:</c>: replaces the default certificate validation (tests pin a self-signed certificate with it).
    /// Null (the default) validates the server certificate against the system trust store and the host name.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AllocateTimeout, TimeSpan.Zero, nameof(AllocateTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PermissionTimeout, TimeSpan.Zero, nameof(PermissionTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(CloseTimeout.Ticks, nameof(CloseTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PermissionRefreshInterval, TimeSpan.Zero, nameof(PermissionRefreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ChannelRefreshInterval, TimeSpan.Zero, nameof(ChannelRefreshInterval));
        ArgumentNullException.ThrowIfNull(Retransmission);
        Retransmission.Validate();
    }
}
