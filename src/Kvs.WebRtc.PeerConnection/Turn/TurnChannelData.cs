using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>ChannelData messages: a 4-byte header (channel number, length) and the application data.</summary>
/// <remarks>
/// RFC 8656 §12.4. Channel numbers are 0x4000-0x4FFF (§12). Over TCP and TLS the message is padded to a multiple
/// of 4 bytes and the padding is not counted in the length (§12.5); over UDP padding is not needed.
/// </remarks>
internal static class TurnChannelData
{
    /// <summary>Header size.</summary>
    public const int HeaderSize = 4;

    /// <summary>Lowest valid channel number.</summary>
    public const ushort MinChannel = 0x4000;

    /// <summary>Highest valid channel number.</summary>
    public const ushort MaxChannel = 0x4FFF;

    /// <summary>True for a channel number a client may bind.</summary>
    public static bool IsValidChannel(ushort channel) => channel is >= MinChannel and <= MaxChannel;

    /// <summary>The message size for <paramref name="dataLength"/> bytes of data.</summary>
    public static int GetSize(int dataLength, bool pad) => HeaderSize + (pad ? (dataLength + 3) & ~3 : dataLength);

    /// <summary>
    /// Parses one ChannelData message. Accepts trailing padding (up to 3 bytes, as stream framing produces) and
    /// rejects anything else; never reads past <paramref name="message"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out ushort channel, out ReadOnlySpan<byte> data)
    {
        channel = 0;
        data = default;
        if (message.Length < HeaderSize)
        {
            return false;
        }

        var number = BinaryPrimitives.ReadUInt16BigEndian(message);
        int length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (!IsValidChannel(number) || HeaderSize + length > message.Length || message.Length - HeaderSize - length > 3)
        {
            return false;
        }

        channel = number;
        data = message.Slice(HeaderSize, length);
        return true;
    }

    /// <summary>Writes a ChannelData message; returns its size.</summary>
    /// <exception cref="ArgumentException">Destination too small, data too long, or an invalid channel.</exception>
    public static int Write(Span<byte> destination, ushort channel, ReadOnlySpan<byte> data, bool pad)
    {
        if (!IsValidChannel(channel))
        {
            throw new ArgumentOutOfRangeException(nameof(channel));
        }

        if (data.Length > ushort.MaxValue)
        {
            throw new ArgumentException("ChannelData carries at most 65,535 bytes.", nameof(data));
        }

        var size = GetSize(data.Length, pad);
        if (destination.Length < size)
        {
            throw new ArgumentException("Destination too small for the ChannelData message.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, channel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
        data.CopyTo(destination[HeaderSize..]);
        destination[(HeaderSize + data.Length)..size].Clear();
        return size;
    }
}
