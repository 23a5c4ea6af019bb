namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Walks the packets of a compound RTCP datagram (RFC 3550 §6.1) or of a reduced-size one (RFC 5506 §3: a lone
/// feedback packet). Each packet's length must fit in what is left; a bad version or an impossible length ends the walk
/// with <see cref="IsMalformed"/> set. The per-type parsers (<see cref="RtcpSenderReport.TryParse"/> etc.) take the
/// returned packet. Allocates nothing; never reads past the datagram.
/// </summary>
/// <example>
/// <code>
/// var reader = new RtcpCompoundReader(datagram);
/// while (reader.TryReadNext(out var header, out var packet))
/// {
///     switch ((RtcpPacketType)header.PacketType) { case RtcpPacketType.SenderReport: ... }
/// }
/// </code>
/// </example>
internal ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _datagram;
    private int _offset;

    /// <summary>Creates a reader over one (decrypted) RTCP datagram.</summary>
    public RtcpCompoundReader(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
        _offset = 0;
        IsMalformed = false;
    }

    /// <summary>True when the walk stopped at bytes that are not a whole RTCP packet (or the datagram was empty).</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>Offset of the next packet in the datagram.</summary>
    public readonly int Offset => _offset;

    /// <summary>Reads the next packet (header included in <paramref name="packet"/>); false at the end or at malformed bytes.</summary>
    public bool TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (_offset >= _datagram.Length)
        {
            IsMalformed |= _datagram.IsEmpty;
            header = default;
            return false;
        }

        var rest = _datagram[_offset..];
        if (!RtcpHeader.TryParse(rest, out header) || header.PacketLength > rest.Length)
        {
            IsMalformed = true;
            _offset = _datagram.Length;
            header = default;
            return false;
        }

        packet = rest[..header.PacketLength];
        _offset += header.PacketLength;
        return true;
    }
}
