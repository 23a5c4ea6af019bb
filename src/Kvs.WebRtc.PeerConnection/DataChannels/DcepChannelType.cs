namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>DATA_CHANNEL_OPEN channel types (RFC 8832 §5.1, §8.2.2); the 0x80 bit means unordered.</summary>
internal enum DcepChannelType : byte
{
    Reliable = 0x00,
    PartialReliableRexmit = 0x01,
    PartialReliableTimed = 0x02,
    ReliableUnordered = 0x80,
    PartialReliableRexmitUnordered = 0x81,
    PartialReliableTimedUnordered = 0x82,
}
