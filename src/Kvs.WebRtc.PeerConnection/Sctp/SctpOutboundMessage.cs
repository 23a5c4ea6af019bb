namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A queued user message: a pooled copy of the bytes plus its delivery options. Reused via a free list.</summary>
internal sealed class SctpOutboundMessage
{
    public byte[] Buffer { get; set; } = [];

    public int Length { get; set; }

    public SctpOutboundStream Stream { get; set; } = null!;

    public uint Ppid { get; set; }

    public bool Unordered { get; set; }

    /// <summary>SSN, assigned when the first fragment gets its TSN so unsent messages can be dropped without a hole.</summary>
    public ushort Ssn { get; set; }

    public int MaxRetransmits { get; set; }

    /// <summary>Absolute abandonment deadline; <see cref="TimeSpan.MaxValue"/> when unlimited.</summary>
    public TimeSpan ExpiresAt { get; set; }

    /// <summary>Bytes already cut into chunks.</summary>
    public int NextOffset { get; set; }

    /// <summary>Chunks created and not yet acknowledged or freed.</summary>
    public int ChunksOutstanding { get; set; }

    public bool Abandoned { get; set; }

    public bool FullyChunked => NextOffset >= Length;
}
