namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Limits of one <see cref="IDatagramSocket.TrySendSegments"/> call (Linux UDP GSO: 64 segments, one IP datagram's payload).</summary>
internal static class SegmentBatch
{
    /// <summary>The most datagrams in one call.</summary>
    public const int MaxSegments = 64;

    /// <summary>The most bytes in one call (below the 65,507-byte UDP payload limit of IPv4).</summary>
    public const int MaxBytes = 60000;

    /// <summary>True when <paramref name="length"/> bytes in segments of <paramref name="segmentSize"/> fit one call.</summary>
    public static bool Fits(int length, int segmentSize) =>
        segmentSize > 0 && length > 0 && length <= MaxBytes && (length + segmentSize - 1) / segmentSize <= MaxSegments;
}
