namespace Kvs.WebRtc.Testing.Network;

/// <summary>Why the virtual network dropped a packet.</summary>
public enum DropReason
{
    /// <summary>Random loss on a link (<see cref="LinkConditions.LossRate"/>).</summary>
    Loss,

    /// <summary>The link's bandwidth queue was full (<see cref="LinkConditions.QueueLimitBytes"/>).</summary>
    QueueFull,

    /// <summary>No host or NAT owns the destination address, or it is private behind another NAT.</summary>
    NoRoute,

    /// <summary>The NAT has no mapping for the destination port.</summary>
    NatNoMapping,

    /// <summary>The NAT's filtering refused an unsolicited inbound packet.</summary>
    NatFiltered,

    /// <summary>No socket is bound to the destination port (or its backlog before receiving started was full).</summary>
    NoSocket,
}
