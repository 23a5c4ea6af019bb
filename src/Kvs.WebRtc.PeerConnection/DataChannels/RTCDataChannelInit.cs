namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>Options for a new data channel (W3C <c>RTCDataChannelInit</c>, RFC 8831 §6.1).</summary>
/// <remarks>At most one of <see cref="MaxRetransmits"/> and <see cref="MaxPacketLifeTime"/> may be set.</remarks>
public sealed record RTCDataChannelInit
{
    /// <summary>Deliver messages in order; default true.</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>Retransmissions before a message is abandoned (partial reliability); null = reliable.</summary>
    public int? MaxRetransmits { get; init; }

    /// <summary>Milliseconds after which an unacknowledged message is abandoned; null = reliable.</summary>
    public int? MaxPacketLifeTime { get; init; }

    /// <summary>Sub-protocol name announced to the peer; default empty.</summary>
    public string Protocol { get; init; } = string.Empty;

    /// <summary>
    /// True when the application negotiates the channel out of band (both sides create it with the same
    /// <see cref="Id"/>; no DCEP handshake, RFC 8832 §1); default false.
    /// </summary>
    public bool Negotiated { get; init; }

    /// <summary>Stream id; required when <see cref="Negotiated"/> is true, otherwise chosen automatically.</summary>
    public ushort? Id { get; init; }

    internal void Validate()
    {
        if (MaxRetransmits is not null && MaxPacketLifeTime is not null)
        {
            throw new ArgumentException("MaxRetransmits and MaxPacketLifeTime cannot both be set.");
        }

        if (MaxRetransmits is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetransmits), MaxRetransmits, "Must not be negative.");
        }

        if (MaxPacketLifeTime is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPacketLifeTime), MaxPacketLifeTime, "Must not be negative.");
        }

        if (Negotiated && Id is null)
        {
            throw new ArgumentException("A negotiated data channel needs an Id.");
        }

        if (Id is 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Id), Id, "Stream id 65535 is reserved.");
        }

        ArgumentNullException.ThrowIfNull(Protocol);
        if (System.Text.Encoding.UTF8.GetByteCount(Protocol) > ushort.MaxValue)
        {
            throw new ArgumentException("The protocol is longer than 65535 bytes.");
        }
    }
}
