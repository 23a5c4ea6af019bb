using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Rtcp;

/// <summary>
/// Encodes received packets (transport-wide sequence number + arrival time) into transport-wide feedback packets
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) no larger than a size limit. Chunks are chosen as packets
/// are added: run-length chunks for runs, 14×1-bit vectors when all deltas are small, 7×2-bit vectors otherwise;
/// missing sequence numbers become "not received". Buffers are allocated once in the constructor; adding and writing
/// allocate nothing. Not thread-safe: one per media loop.
/// </summary>
/// <example>
/// <code>
/// builder.Reset(senderSsrc, mediaSsrc, feedbackCount++);
/// foreach (var (seq, arrival) in receivedInSequenceOrder)
/// {
///     if (!builder.TryAddReceivedPacket(seq, arrival))
///     {
///         send(buffer[..builder.Write(buffer)]);          // full (or seq/delta not representable): flush ...
///         builder.Reset(senderSsrc, mediaSsrc, feedbackCount++);
///         builder.TryAddReceivedPacket(seq, arrival);     // ... the first packet of a fresh feedback always fits
///     }
/// }
/// if (!builder.IsEmpty) send(buffer[..builder.Write(buffer)]);
/// </code>
/// </example>
internal sealed class RtcpTransportFeedbackBuilder
{
    /// <summary>The default size limit (fits any path MTU with SRTCP overhead).</summary>
    public const int DefaultMaxPacketSize = 1200;

    /// <summary>The smallest size limit accepted.</summary>
    public const int MinMaxPacketSize = 64;

    private const int MaxRunLength = 0x1FFF;
    private const long TimeSpanTicksPerDeltaTick = 2500; // 250 µs
    private const int NotReceived = 0;
    private const int Small = 1;
    private const int Large = 2;

    private readonly ushort[] _chunks;
    private readonly byte[] _deltas;
    private uint _senderSsrc;
    private uint _mediaSsrc;
    private byte _feedbackPacketCount;
    private bool _baseGiven;
    private ushort _baseSequenceNumber;
    private uint _referenceTime;
    private ushort _lastSequenceNumber;
    private long _lastTicks;
    private int _chunkCount;
    private int _deltaLength;
    private int _statusCount;

    // Symbols not yet committed to a chunk: up to 14 stored 2 bits each (symbol i at bits 2i), or, when all are the same,
    // just the symbol and a count up to the run-length maximum.
    private uint _pendingBits;
    private int _pendingCount;
    private int _pendingSymbol;
    private bool _pendingAllSame;
    private bool _pendingHasLarge;

    /// <summary>Creates a builder whose packets never exceed <paramref name="maxPacketSize"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 64 or above 65536 bytes.</exception>
    public RtcpTransportFeedbackBuilder(int maxPacketSize = DefaultMaxPacketSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketSize, MinMaxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65536);
        MaxPacketSize = maxPacketSize;
        _chunks = new ushort[(maxPacketSize / 2) + 16];
        _deltas = new byte[maxPacketSize + 2];
    }

    /// <summary>The size limit.</summary>
    public int MaxPacketSize { get; }

    /// <summary>True until a packet is added after <see cref="Reset(uint, uint, byte)"/>.</summary>
    public bool IsEmpty => ReceivedCount == 0;

    /// <summary>Received packets added so far.</summary>
    public int ReceivedCount { get; private set; }

    /// <summary>Statuses so far (received and not received), from the base sequence number to the last added packet.</summary>
    public int PacketStatusCount => _statusCount;

    /// <summary>The base sequence number (the first added packet's, or the one given to <see cref="Reset(uint, uint, byte, ushort)"/>).</summary>
    public ushort BaseSequenceNumber => _baseSequenceNumber;

    /// <summary>Bytes <see cref="Write"/> needs now (0 when empty), padding included.</summary>
    public int Size => IsEmpty ? 0 : ComputeSize(_chunkCount, _deltaLength, _pendingCount);

    /// <summary>Starts a new feedback whose base is the first packet added.</summary>
    public void Reset(uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount)
    {
        _senderSsrc = senderSsrc;
        _mediaSsrc = mediaSsrc;
        _feedbackPacketCount = feedbackPacketCount;
        _baseGiven = false;
        _baseSequenceNumber = 0;
        _chunkCount = 0;
        _deltaLength = 0;
        _statusCount = 0;
        ReceivedCount = 0;
        ClearPending();
    }

    /// <summary>
    /// Starts a new feedback that reports from <paramref name="baseSequenceNumber"/>: sequence numbers before the first
    /// packet added are reported as not received (losses at the start of the interval).
    /// </summary>
    public void Reset(uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount, ushort baseSequenceNumber)
    {
        Reset(senderSsrc, mediaSsrc, feedbackPacketCount);
        _baseGiven = true;
        _baseSequenceNumber = baseSequenceNumber;
    }

    /// <summary>
    /// Appends a received packet. Packets must come in increasing (wrap-aware) sequence order; gaps become "not
    /// received". Returns false, leaving the feedback unchanged, when the packet does not fit: the size limit or the
    /// 65535-status limit would be exceeded, the sequence number does not follow the last one, or its delta from the
    /// previous arrival is outside −8192…8191.75 ms. Write the feedback, reset, and add the packet to the next one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="arrivalTime"/> is negative.</exception>
    public bool TryAddReceivedPacket(ushort sequenceNumber, TimeSpan arrivalTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arrivalTime, TimeSpan.Zero);
        var ticks = arrivalTime.Ticks / TimeSpanTicksPerDeltaTick;
        int missing;
        long previousTicks;
        var first = ReceivedCount == 0;
        var baseSequenceNumber = _baseSequenceNumber;
        if (first)
        {
            baseSequenceNumber = _baseGiven ? _baseSequenceNumber : sequenceNumber;
            var gap = (ushort)(sequenceNumber - baseSequenceNumber);
            if (gap >= 0x8000)
            {
                return false;
            }

            missing = gap;
            previousTicks = ticks / 256 * 256;
        }
        else
        {
            var gap = (ushort)(sequenceNumber - _lastSequenceNumber);
            if (gap is 0 or >= 0x8000)
            {
                return false;
            }

            missing = gap - 1;
            previousTicks = _lastTicks;
        }

        if (_statusCount + missing + 1 > ushort.MaxValue)
        {
            return false;
        }

        var delta = ticks - previousTicks;
        int symbol;
        if (delta is >= 0 and <= 255)
        {
            symbol = Small;
        }
        else if (delta is >= short.MinValue and <= short.MaxValue)
        {
            symbol = Large;
        }
        else
        {
            return false;
        }

        var chunkCount = _chunkCount;
        var deltaLength = _deltaLength;
        var pendingBits = _pendingBits;
        var pendingCount = _pendingCount;
        var pendingSymbol = _pendingSymbol;
        var pendingAllSame = _pendingAllSame;
        var pendingHasLarge = _pendingHasLarge;

        AddNotReceived(missing);
        AddSymbol(symbol);
        if (symbol == Small)
        {
            _deltas[_deltaLength++] = (byte)delta;
        }
        else
        {
            BinaryPrimitives.WriteInt16BigEndian(_deltas.AsSpan(_deltaLength), (short)delta);
            _deltaLength += 2;
        }

        if (ComputeSize(_chunkCount, _deltaLength, _pendingCount) > MaxPacketSize)
        {
            _chunkCount = chunkCount;
            _deltaLength = deltaLength;
            _pendingBits = pendingBits;
            _pendingCount = pendingCount;
            _pendingSymbol = pendingSymbol;
            _pendingAllSame = pendingAllSame;
            _pendingHasLarge = pendingHasLarge;
            return false;
        }

        if (first)
        {
            _baseSequenceNumber = baseSequenceNumber;
            _referenceTime = (uint)((ticks / 256) & 0xFFFFFF);
        }

        _statusCount += missing + 1;
        _lastSequenceNumber = sequenceNumber;
        _lastTicks = ticks;
        ReceivedCount++;
        return true;
    }

    /// <summary>Writes the feedback packet (RTPFB FMT 15, zero-padded to 32 bits with the P bit set when padded) and returns its length.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is smaller than <see cref="Size"/>.</exception>
    public int Write(Span<byte> destination)
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException("no packet was added to this feedback");
        }

        var size = Size;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, size, nameof(destination));
        var chunks = _chunkCount + (_pendingCount > 0 ? 1 : 0);
        var unpadded = RtcpTransportFeedback.FixedLength + (chunks * 2) + _deltaLength;
        var padding = size - unpadded;
        RtcpHeader.Write(destination, RtcpFeedbackFormat.TransportWideCc, RtcpPacketType.TransportFeedback, size, padding > 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], _senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], _baseSequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)_statusCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (_referenceTime << 8) | _feedbackPacketCount);
        var offset = RtcpTransportFeedback.FixedLength;
        for (var i = 0; i < _chunkCount; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], _chunks[i]);
            offset += 2;
        }

        if (_pendingCount > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], PendingAsFinalChunk());
            offset += 2;
        }

        _deltas.AsSpan(0, _deltaLength).CopyTo(destination[offset..]);
        offset += _deltaLength;
        if (padding > 0)
        {
            destination[offset..size].Clear();
            destination[size - 1] = (byte)padding;
        }

        return size;
    }

    private static int ComputeSize(int chunkCount, int deltaLength, int pendingCount) =>
        RtcpHeader.Align(RtcpTransportFeedback.FixedLength + (2 * (chunkCount + (pendingCount > 0 ? 1 : 0))) + deltaLength);

    private void AddNotReceived(int count)
    {
        while (count > 0)
        {
            if (_pendingCount > 0 && _pendingAllSame && _pendingSymbol == NotReceived && _pendingCount < MaxRunLength)
            {
                // Stored bits of "not received" are zeros: extending the run needs only the count.
                var take = Math.Min(count, MaxRunLength - _pendingCount);
                _pendingCount += take;
                count -= take;
            }
            else
            {
                AddSymbol(NotReceived);
                count--;
            }
        }
    }

    private void AddSymbol(int symbol)
    {
        while (!CanAppend(symbol))
        {
            EmitChunk();
        }

        if (_pendingCount < 14)
        {
            _pendingBits |= (uint)symbol << (2 * _pendingCount);
        }

        _pendingAllSame = _pendingCount == 0 || (_pendingAllSame && symbol == _pendingSymbol);
        if (_pendingCount == 0)
        {
            _pendingSymbol = symbol;
        }

        _pendingHasLarge |= symbol == Large;
        _pendingCount++;
    }

    private bool CanAppend(int symbol) =>
        _pendingCount < 7
        || (_pendingCount < 14 && !_pendingHasLarge && symbol != Large)
        || (_pendingAllSame && symbol == _pendingSymbol && _pendingCount < MaxRunLength);

    // Commits one chunk from the pending symbols, making room for at least one more.
    private void EmitChunk()
    {
        if (_pendingAllSame)
        {
            _chunks[_chunkCount++] = (ushort)((_pendingSymbol << 13) | _pendingCount);
            ClearPending();
            return;
        }

        if (_pendingCount >= 14)
        {
            _chunks[_chunkCount++] = OneBitVector(_pendingBits, 14);
            ClearPending();
            return;
        }

        _chunks[_chunkCount++] = TwoBitVector(_pendingBits, 7);
        var rest = _pendingCount - 7;
        var bits = _pendingBits >> 14;
        ClearPending();
        for (var i = 0; i < rest; i++)
        {
            AddSymbol((int)((bits >> (2 * i)) & 0x03));
        }
    }

    private ushort PendingAsFinalChunk()
    {
        if (_pendingAllSame)
        {
            return (ushort)((_pendingSymbol << 13) | _pendingCount);
        }

        return _pendingCount <= 7 ? TwoBitVector(_pendingBits, _pendingCount) : OneBitVector(_pendingBits, _pendingCount);
    }

    private static ushort OneBitVector(uint bits, int count)
    {
        var chunk = 0x8000;
        for (var i = 0; i < count; i++)
        {
            chunk |= (int)((bits >> (2 * i)) & 0x01) << (13 - i);
        }

        return (ushort)chunk;
    }

    private static ushort TwoBitVector(uint bits, int count)
    {
        var chunk = 0xC000;
        for (var i = 0; i < count; i++)
        {
            chunk |= (int)((bits >> (2 * i)) & 0x03) << (2 * (6 - i));
        }

        return (ushort)chunk;
    }

    private void ClearPending()
    {
        _pendingBits = 0;
        _pendingCount = 0;
        _pendingSymbol = 0;
        _pendingAllSame = true;
        _pendingHasLarge = false;
    }
}
