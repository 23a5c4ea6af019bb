using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>Enumerates the lost sequence numbers of generic-NACK items (RFC 4585 §6.2.1): PID, then PID+i+1 for each set BLP bit i.</summary>
internal ref struct RtcpNackSequenceEnumerator
{
    private readonly ReadOnlySpan<byte> _items;
    private int _item;
    private int _bit;

    /// <summary>Creates an enumerator over (PID, BLP) items.</summary>
    public RtcpNackSequenceEnumerator(ReadOnlySpan<byte> items)
    {
        _items = items;
        _item = -4;
        _bit = 16;
        Current = 0;
    }

    /// <summary>The current lost sequence number.</summary>
    public ushort Current { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly RtcpNackSequenceEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next lost sequence number.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (_bit < 16)
            {
                var pid = BinaryPrimitives.ReadUInt16BigEndian(_items[_item..]);
                var blp = BinaryPrimitives.ReadUInt16BigEndian(_items[(_item + 2)..]);
                while (_bit < 16)
                {
                    var bit = _bit++;
                    if ((blp & (1 << bit)) != 0)
                    {
                        Current = (ushort)(pid + bit + 1);
                        return true;
                    }
                }
            }

            _item += 4;
            if (_item + 4 > _items.Length)
            {
                _item = _items.Length;
                return false;
            }

            _bit = 0;
            Current = BinaryPrimitives.ReadUInt16BigEndian(_items[_item..]);
            return true;
        }
    }
}
