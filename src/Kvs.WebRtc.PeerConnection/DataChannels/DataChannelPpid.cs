namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>SCTP payload protocol identifiers used by WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).</summary>
internal static class DataChannelPpid
{
    public const uint Dcep = 50;
    public const uint String = 51;
    public const uint BinaryPartial = 52;
    public const uint Binary = 53;
    public const uint StringPartial = 54;
    public const uint StringEmpty = 56;
    public const uint BinaryEmpty = 57;
}
