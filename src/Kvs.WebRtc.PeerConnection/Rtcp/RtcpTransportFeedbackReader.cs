using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Reads the statuses of a validated <see cref="RtcpTransportFeedback"/> one at a time, expanding run-length and
/// status-vector chunks and consuming receive deltas. Allocates nothing; bounded by the packet's status count.
/// </summary>
internal ref struct RtcpTransportFeedbackReader
{
    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _deltas;
    private int _chunkOffset;
    private int _deltaOffset;
    private int _chunk;
    private int _indexInChunk;
    private int _symbolsInChunk;
    private int _remaining;
    private ushort _sequence;
    private long _timeTicks;

    /// <summary>Creates a reader; <paramref name="chunks"/> is the packet up to the first delta (chunks start at offset 20).</summary>
    public RtcpTransportFeedbackReader(ReadOnlySpan<byte> chunks, ReadOnlySpan<byte> deltas, ushort baseSequenceNumber, int statusCount, long referenceTicks)
    {
        _chunks = chunks;
        _deltas = deltas;
        _chunkOffset = RtcpTransportFeedback.FixedLength;
        _deltaOffset = 0;
        _chunk = 0;
        _indexInChunk = 0;
        _symbolsInChunk = 0;
        _remaining = statusCount;
        _sequence = baseSequenceNumber;
        _timeTicks = referenceTicks;
    }

    /// <summary>Reads the next status; false after the last one (or if the bytes run out, which a validated packet never does).</summary>
    public bool TryReadNext(out RtcpTransportFeedbackStatus status)
    {
        status = default;
        if (_remaining <= 0)
        {
            return false;
        }

        while (_indexInChunk >= _symbolsInChunk)
        {
            // Run-length chunks of length 0 are skipped; the loop is bounded by the chunk bytes.
            if (_chunkOffset + 2 > _chunks.Length)
            {
                _remaining = 0;
                return false;
            }

            _chunk = BinaryPrimitives.ReadUInt16BigEndian(_chunks[_chunkOffset..]);
            _chunkOffset += 2;
            _indexInChunk = 0;
            _symbolsInChunk = (_chunk & 0x8000) == 0 ? _chunk & 0x1FFF : (_chunk & 0x4000) != 0 ? 7 : 14;
        }

        int symbol;
        if ((_chunk & 0x8000) == 0)
        {
            symbol = (_chunk >> 13) & 0x03;
        }
        else if ((_chunk & 0x4000) != 0)
        {
            symbol = (_chunk >> (2 * (6 - _indexInChunk))) & 0x03;
        }
        else
        {
            symbol = (_chunk >> (13 - _indexInChunk)) & 0x01;
        }

        _indexInChunk++;
        var delta = 0;
        if (symbol is 1 or 2)
        {
            if (_deltaOffset + symbol > _deltas.Length)
            {
                _remaining = 0;
                return false;
            }

            delta = symbol == 1 ? _deltas[_deltaOffset] : BinaryPrimitives.ReadInt16BigEndian(_deltas[_deltaOffset..]);
            _deltaOffset += symbol;
            _timeTicks += delta;
        }
        else if (symbol == 3)
        {
            _remaining = 0;
            return false;
        }

        var arrival = symbol == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(_timeTicks * 2500);
        status = new RtcpTransportFeedbackStatus(_sequence, (RtcpTransportFeedbackSymbol)symbol, delta, arrival);
        _sequence++;
        _remaining--;
        return true;
    }
}
