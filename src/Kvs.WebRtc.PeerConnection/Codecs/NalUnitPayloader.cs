using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// What H.264 (RFC 6184, packetization-mode 1) and H.265 (RFC 7798) payloaders share: splitting the access unit
/// into NAL units, caching parameter sets and putting them in front of key frames that lack them, single NAL unit
/// packets, aggregation of consecutive small units (STAP-A / AP) and fragmentation of large ones (FU-A / FU).
/// </summary>
/// <remarks>Steady state allocates nothing: segment and cache arrays only grow when a larger frame arrives.</remarks>
internal abstract class NalUnitPayloader : RtpPayloader
{
    private const int FromFrame = -1;

    private readonly NalUnitStreamFormat _format;
    private readonly int _lengthSize;
    private readonly byte[][] _parameterSets;
    private readonly int[] _parameterSetLengths;
    private readonly bool[] _present;
    private Segment[] _segments = new Segment[16];
    private int _segmentCount;
    private int _index;
    private int _fragmentOffset;
    private ReadOnlyMemory<byte> _frame;

    /// <summary>Creates the payloader.</summary>
    /// <param name="format">How the access units given to <see cref="BeginFrame"/> delimit NAL units.</param>
    /// <param name="lengthSize">Length prefix size (1–4) for <see cref="NalUnitStreamFormat.LengthPrefixed"/>.</param>
    /// <param name="parameterSetKinds">How many parameter set kinds a key frame needs (2 for H.264, 3 for H.265).</param>
    protected NalUnitPayloader(NalUnitStreamFormat format, int lengthSize, int parameterSetKinds)
    {
        if (format == NalUnitStreamFormat.LengthPrefixed)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(lengthSize, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(lengthSize, 4);
        }

        _format = format;
        _lengthSize = lengthSize;
        _parameterSets = new byte[parameterSetKinds][];
        _parameterSetLengths = new int[parameterSetKinds];
        _present = new bool[parameterSetKinds];
        for (var i = 0; i < parameterSetKinds; i++)
        {
            _parameterSets[i] = [];
        }
    }

    /// <summary>Length of a NAL unit header (1 for H.264, 2 for H.265).</summary>
    protected abstract int NalHeaderLength { get; }

    /// <summary>Length of the aggregation packet header (STAP-A: 1, AP: 2).</summary>
    protected abstract int AggregationHeaderLength { get; }

    /// <summary>Length of the fragmentation headers (FU-A: 2, FU: 3).</summary>
    protected abstract int FragmentHeaderLength { get; }

    /// <summary>True when a parameter set of every kind has been seen (and is cached).</summary>
    public bool HasParameterSets
    {
        get
        {
            foreach (var length in _parameterSetLengths)
            {
                if (length == 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc />
    public override void BeginFrame(ReadOnlyMemory<byte> frame)
    {
        _frame = frame;
        _segmentCount = 0;
        _index = 0;
        _fragmentOffset = 0;
        Array.Clear(_present);
        var keyAt = -1;
        var malformed = false;
        var span = frame.Span;
        if (_format == NalUnitStreamFormat.AnnexB)
        {
            var nals = new AnnexBNalUnitEnumerator(span);
            while (nals.MoveNext())
            {
                AddNal(nals.Current, nals.CurrentOffset, ref keyAt);
            }
        }
        else
        {
            var nals = new LengthPrefixedNalUnitEnumerator(span, _lengthSize);
            while (nals.MoveNext())
            {
                AddNal(nals.Current, nals.CurrentOffset, ref keyAt);
            }

            malformed = nals.IsMalformed;
        }

        if (malformed)
        {
            _segmentCount = 0;
            SetFrameFlags(RtpPayloaderFrameFlags.Malformed);
            return;
        }

        if (_segmentCount == 0)
        {
            SetFrameFlags(RtpPayloaderFrameFlags.Empty);
            return;
        }

        var flags = RtpPayloaderFrameFlags.None;
        if (keyAt >= 0)
        {
            flags |= RtpPayloaderFrameFlags.KeyFrame;
            for (var kind = 0; kind < _present.Length; kind++)
            {
                if (_present[kind])
                {
                    continue;
                }

                if (_parameterSetLengths[kind] == 0)
                {
                    flags |= RtpPayloaderFrameFlags.MissingParameterSets;
                    continue;
                }

                InsertSegment(keyAt++, new Segment(kind, 0, _parameterSetLengths[kind]));
                flags |= RtpPayloaderFrameFlags.ParameterSetsInserted;
            }
        }

        SetFrameFlags(flags);
    }

    /// <inheritdoc />
    public override bool TryWriteNext(Span<byte> destination, int maxPayloadSize, out int written, out bool isLast)
    {
        written = 0;
        isLast = false;
        if (_index >= _segmentCount)
        {
            return false;
        }

        var max = Math.Min(destination.Length, maxPayloadSize);
        var nal = SegmentSpan(_index);
        if (_fragmentOffset == 0 && nal.Length <= max)
        {
            var total = AggregationHeaderLength + 2 + nal.Length;
            var end = _index + 1;
            while (end < _segmentCount && total + 2 + _segments[end].Length <= max)
            {
                total += 2 + _segments[end].Length;
                end++;
            }

            if (end - _index >= 2)
            {
                WriteAggregationHeader(destination, nal);
                var position = AggregationHeaderLength;
                for (var i = _index; i < end; i++)
                {
                    var unit = SegmentSpan(i);
                    if (i > _index)
                    {
                        MergeAggregationHeader(destination, unit);
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(destination[position..], (ushort)unit.Length);
                    unit.CopyTo(destination[(position + 2)..]);
                    position += 2 + unit.Length;
                }

                written = position;
                _index = end;
            }
            else
            {
                nal.CopyTo(destination);
                written = nal.Length;
                _index++;
            }
        }
        else
        {
            var room = max - FragmentHeaderLength;
            if (room < 1)
            {
                LastFrameFlags |= RtpPayloaderFrameFlags.Truncated;
                _index = _segmentCount;
                return false;
            }

            var start = _fragmentOffset == 0;
            if (start)
            {
                _fragmentOffset = NalHeaderLength;
            }

            var chunk = Math.Min(room, nal.Length - _fragmentOffset);
            var end = chunk == nal.Length - _fragmentOffset;
            WriteFragmentHeader(destination, nal, start, end);
            nal.Slice(_fragmentOffset, chunk).CopyTo(destination[FragmentHeaderLength..]);
            written = FragmentHeaderLength + chunk;
            if (end)
            {
                _index++;
                _fragmentOffset = 0;
            }
            else
            {
                _fragmentOffset += chunk;
            }
        }

        isLast = _index >= _segmentCount;
        return true;
    }

    /// <summary>The NAL unit type from a NAL unit's header.</summary>
    protected abstract int GetNalType(ReadOnlySpan<byte> nal);

    /// <summary>The parameter set kind index (0..kinds-1) of a NAL type, or -1 when it is no parameter set.</summary>
    protected abstract int GetParameterSetKind(int nalType);

    /// <summary>True for NAL types that make the access unit a key frame (H.264 IDR, H.265 IRAP).</summary>
    protected abstract bool IsKeyFrameNal(int nalType);

    /// <summary>True for NAL types not sent over RTP (access unit delimiters, filler data).</summary>
    protected abstract bool IsDropped(int nalType);

    /// <summary>Writes the aggregation packet header for a packet whose first unit is <paramref name="firstNal"/>.</summary>
    protected abstract void WriteAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> firstNal);

    /// <summary>Updates the aggregation header for one more unit (F bit, NRI or layer/temporal ids).</summary>
    protected abstract void MergeAggregationHeader(Span<byte> destination, ReadOnlySpan<byte> nal);

    /// <summary>Writes the fragmentation headers for a fragment of <paramref name="nal"/>.</summary>
    protected abstract void WriteFragmentHeader(Span<byte> destination, ReadOnlySpan<byte> nal, bool start, bool end);

    private void AddNal(ReadOnlySpan<byte> nal, int offset, ref int keyAt)
    {
        if (nal.Length < NalHeaderLength)
        {
            return;
        }

        var type = GetNalType(nal);
        if (IsDropped(type))
        {
            return;
        }

        var kind = GetParameterSetKind(type);
        if (kind >= 0)
        {
            _present[kind] = true;
            if (_parameterSets[kind].Length < nal.Length)
            {
                _parameterSets[kind] = new byte[nal.Length];
            }

            nal.CopyTo(_parameterSets[kind]);
            _parameterSetLengths[kind] = nal.Length;
        }

        if (keyAt < 0 && IsKeyFrameNal(type))
        {
            keyAt = _segmentCount;
        }

        InsertSegment(_segmentCount, new Segment(FromFrame, offset, nal.Length));
    }

    private void InsertSegment(int at, Segment segment)
    {
        if (_segmentCount == _segments.Length)
        {
            Array.Resize(ref _segments, _segments.Length * 2);
        }

        if (at < _segmentCount)
        {
            Array.Copy(_segments, at, _segments, at + 1, _segmentCount - at);
        }

        _segments[at] = segment;
        _segmentCount++;
    }

    private ReadOnlySpan<byte> SegmentSpan(int index)
    {
        var segment = _segments[index];
        return segment.Source == FromFrame
            ? _frame.Span.Slice(segment.Offset, segment.Length)
            : _parameterSets[segment.Source].AsSpan(0, segment.Length);
    }

    private readonly record struct Segment(int Source, int Offset, int Length);
}
