using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Splits a length-prefixed access unit (ISO/IEC 14496-15 "AVCC"/"HVCC" samples) into NAL units without allocating.
/// </summary>
/// <remarks>Stops with <see cref="IsMalformed"/> set when a length runs past the end. Empty units are skipped.</remarks>
internal ref struct LengthPrefixedNalUnitEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _lengthSize;
    private int _position;

    /// <summary>Creates an enumerator over <paramref name="data"/> with <paramref name="lengthSize"/>-byte prefixes (1–4).</summary>
    public LengthPrefixedNalUnitEnumerator(ReadOnlySpan<byte> data, int lengthSize)
    {
        _data = data;
        _lengthSize = lengthSize;
        _position = 0;
        Current = default;
        CurrentOffset = 0;
        IsMalformed = lengthSize is < 1 or > 4;
    }

    /// <summary>The current NAL unit.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Offset of <see cref="Current"/> in the data.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>True once a length prefix was found truncated or running past the end.</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly LengthPrefixedNalUnitEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next non-empty NAL unit.</summary>
    public bool MoveNext()
    {
        while (!IsMalformed && _position < _data.Length)
        {
            if (_data.Length - _position < _lengthSize)
            {
                IsMalformed = true;
                break;
            }

            var prefix = _data.Slice(_position, _lengthSize);
            long length = _lengthSize switch
            {
                1 => prefix[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(prefix),
                3 => (prefix[0] << 16) | (prefix[1] << 8) | prefix[2],
                _ => BinaryPrimitives.ReadUInt32BigEndian(prefix),
            };
            var start = _position + _lengthSize;
            if (length > _data.Length - start)
            {
                IsMalformed = true;
                break;
            }

            _position = start + (int)length;
            if (length > 0)
            {
                Current = _data.Slice(start, (int)length);
                CurrentOffset = start;
                return true;
            }
        }

        Current = default;
        return false;
    }
}
