namespace Kvs.WebRtc.Emulator;

/// <summary>
/// A snapshot describing one WebSocket signaling connection held by a <see cref="KvsEmulator"/>, as seen by
/// <see cref="KvsEmulator.GetConnections"/> and by the selectors of <see cref="KvsEmulatorFaults"/>.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class KvsEmulatorConnectionInfo
{
    internal KvsEmulatorConnectionInfo(long connectionId, string channelArn, string channelName, KvsEmulatorRole role, string? clientId, DateTimeOffset connectedAt, bool isCurrent)
    {
        ConnectionId = connectionId;
        ChannelArn = channelArn;
        ChannelName = channelName;
        Role = role;
        ClientId = clientId;
        ConnectedAt = connectedAt;
        IsCurrent = isCurrent;
    }

    /// <summary>An id unique within this emulator instance (increasing in connection order).</summary>
    public long ConnectionId { get; }

    /// <summary>The ARN of the channel the client connected to.</summary>
    public string ChannelArn { get; }

    /// <summary>The name of the channel the client connected to.</summary>
    public string ChannelName { get; }

    /// <summary>Master or viewer.</summary>
    public KvsEmulatorRole Role { get; }

    /// <summary>The viewer's <c>X-Amz-ClientId</c>; <see langword="null"/> for the master.</summary>
    public string? ClientId { get; }

    /// <summary>When the upgrade was accepted (emulator clock, see <see cref="KvsEmulatorOptions.TimeProvider"/>).</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>
    /// True while messages for this identity are routed to this connection; false once a newer connection with the
    /// same identity superseded it (it is then closed after <see cref="KvsEmulatorOptions.SupersededConnectionGracePeriod"/>).
    /// </summary>
    public bool IsCurrent { get; }

    /// <summary>Returns the role, client id and channel name.</summary>
    public override string ToString() =>
        $"#{ConnectionId} {Role}{(ClientId is null ? string.Empty : " " + ClientId)} on {ChannelName}{(IsCurrent ? string.Empty : " (superseded)")}";
}
