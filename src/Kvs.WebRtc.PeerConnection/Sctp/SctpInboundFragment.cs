namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>A received DATA chunk waiting for reassembly or ordering; payload in a pooled array. Reused via a free list.</summary>
internal sealed class SctpInboundFragment
{
    public uint Tsn { get; set; }

    public ushort Ssn { get; set; }

    public uint Ppid { get; set; }

    public byte Flags { get; set; }

    public byte[] Buffer { get; set; } = [];

    public int Length { get; set; }

    public bool Beginning => (Flags & DataChunk.FlagBeginning) != 0;

    public bool Ending => (Flags & DataChunk.FlagEnding) != 0;
}
