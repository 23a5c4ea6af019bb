using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// The transport-wide sequence number header extension (<see cref="RtpExtensionUri.TransportWideCc"/>,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): 16 bits, one counter across all streams of a transport.
/// </summary>
internal static class TransportSequenceNumberExtension
{
    /// <summary>Value length in bytes.</summary>
    public const int Size = 2;

    /// <summary>Writes the 2-byte value; returns 2.</summary>
    public static int Write(Span<byte> destination, ushort sequenceNumber)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, sequenceNumber);
        return Size;
    }

    /// <summary>Reads the value; false unless <paramref name="value"/> is exactly 2 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out ushort sequenceNumber)
    {
        sequenceNumber = 0;
        if (value.Length != Size)
        {
            return false;
        }

        sequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }
}
