namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>Send-side state of one stream: next SSN and bytes queued but not yet sent.</summary>
internal sealed class SctpOutboundStream
{
    public SctpOutboundStream(ushort id) => Id = id;

    public ushort Id { get; }

    public ushort NextSsn { get; set; }

    /// <summary>Bytes accepted by Send and not yet transmitted once (the W3C bufferedAmount).</summary>
    public long BufferedAmount { get; set; }

    public long BufferedAmountLowThreshold { get; set; }

    /// <summary>Messages of this stream still in the pending queue.</summary>
    public int PendingMessages { get; set; }

    /// <summary>A reset of this stream was requested; no new messages are accepted.</summary>
    public bool Resetting { get; set; }
}
