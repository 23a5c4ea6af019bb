namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Receive-side state of one stream: expected SSN and fragments waiting, each list sorted by TSN.</summary>
internal sealed class SctpInboundStream
{
    public ushort NextSsn { get; set; }

    public List<SctpInboundFragment> Ordered { get; } = [];

    public List<SctpInboundFragment> Unordered { get; } = [];
}
