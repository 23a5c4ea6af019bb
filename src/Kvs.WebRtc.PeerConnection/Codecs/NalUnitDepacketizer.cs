using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The depacketizing steps H.264 (RFC 6184) and H.265 (RFC 7798) share: single NAL unit packets, aggregation packets
/// of 16-bit size-prefixed units and fragmentation units, written as Annex-B with 4-byte start codes.
/// </summary>
/// <remarks>
/// The codec supplies the NAL unit header length, how to read a type, which types are aggregation and fragmentation
/// packets, which are skipped or unsupported, and which make a key frame. A fragment without its start, or a
/// fragmented unit broken off before its end, fails the frame.
/// </remarks>
internal abstract class NalUnitDepacketizer : RtpDepacketizer
{
    private bool _fragmentActive;
    private int _fragmentType;
    private bool _sawKeyUnit;

    /// <inheritdoc />
    public sealed override bool FrameStartIsExplicit => false;

    /// <summary>The NAL unit header length in bytes (1 for H.264, 2 for H.265).</summary>
    protected abstract int HeaderLength { get; }

    /// <summary>The payload type of an aggregation packet (STAP-A, AP).</summary>
    protected abstract int AggregationType { get; }

    /// <summary>The payload type of a fragmentation unit this depacketizer reassembles (FU-A, FU).</summary>
    protected abstract int FragmentType { get; }

    /// <inheritdoc />
    public sealed override bool IsFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            return false;
        }

        return !IsFragmentation(ReadType(payload))
            || (payload.Length > HeaderLength && (payload[HeaderLength] & 0x80) != 0);
    }

    /// <inheritdoc />
    public sealed override bool IsAccessUnitStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            return false;
        }

        var type = ReadType(payload);
        if (type == AggregationType)
        {
            // The first aggregated unit: 16-bit size, then the NAL unit.
            var first = HeaderLength + 2;
            return payload.Length >= first + HeaderLength && OpensAccessUnit(ReadType(payload[first..]));
        }

        return !IsFragmentation(type) && OpensAccessUnit(type);
    }

    public sealed override int GetOutputLength(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            return 0;
        }

        var type = ReadType(payload);
        if (type == AggregationType)
        {
            return 2 * payload.Length;
        }

        return type == FragmentType ? payload.Length + 3 : payload.Length + 4;
    }

    /// <summary>Key when it carries (a fragment of) a key unit, delta when a delta slice, else unknown; aggregation packets are scanned.</summary>
    public sealed override bool? IsKeyFramePacket(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            return null;
        }

        var type = ReadType(payload);
        if (IsFragmentation(type))
        {
            return payload.Length > HeaderLength ? Classify(ReadFragmentType(payload[HeaderLength])) : null;
        }

        if (type != AggregationType)
        {
            return Classify(type);
        }

        bool? kind = null;
        var position = HeaderLength;
        while (payload.Length - position >= 2 + HeaderLength)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
            position += 2;
            if (size < HeaderLength || size > payload.Length - position)
            {
                return kind;
            }

            var unit = Classify(ReadType(payload.Slice(position, size)));
            if (unit == true)
            {
                return true;
            }

            kind ??= unit;
            position += size;
        }

        return kind;
    }

    /// <inheritdoc />
    public sealed override void BeginFrame()
    {
        _fragmentActive = false;
        _sawKeyUnit = false;
    }

    /// <inheritdoc />
    public sealed override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length < HeaderLength)
        {
            return RtpDepacketizeStatus.Malformed; // shorter than a NAL unit header
        }

        var type = ReadType(payload);
        if (_fragmentActive && type != FragmentType)
        {
            return RtpDepacketizeStatus.FragmentWithoutStart; // the fragmented unit never got its end
        }

        if (type == AggregationType)
        {
            return AppendAggregation(payload, destination, out written);
        }

        if (type == FragmentType)
        {
            return AppendFragment(payload, destination, out written);
        }

        if (TryRejectType(type, out var rejected))
        {
            return rejected;
        }

        if (destination.Length < payload.Length + 4)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        _sawKeyUnit |= IsKeyUnit(type);
        written = WriteNal(payload, destination);
        return RtpDepacketizeStatus.Ok;
    }

    /// <inheritdoc />
    public sealed override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = _sawKeyUnit;
        var complete = !_fragmentActive;
        _fragmentActive = false;
        _sawKeyUnit = false;
        return complete;
    }

    /// <summary>Reads the NAL unit type from a header of at least <see cref="HeaderLength"/> bytes.</summary>
    protected abstract int ReadType(ReadOnlySpan<byte> header);

    /// <summary>True for every fragmentation unit type, including ones this depacketizer does not support (FU-B).</summary>
    protected abstract bool IsFragmentation(int type);

    /// <summary>True for a type that may stand inside an aggregation packet.</summary>
    protected abstract bool IsAggregatable(int type);

    /// <summary>True when a NAL unit of this type makes its frame a key frame (IDR, IRAP).</summary>
    protected abstract bool IsKeyUnit(int type);

    /// <summary>True for a NAL unit type that is a slice of a delta (non-key) picture; false when unknown.</summary>
    protected virtual bool IsDeltaSlice(int type) => false;

    /// <summary>True for NAL unit types that only open an access unit (delimiter, SPS/VPS): nothing of the unit precedes them.</summary>
    protected abstract bool OpensAccessUnit(int type);

    /// <summary>
    /// True, with <see cref="RtpDepacketizeStatus.Skipped"/> or <see cref="RtpDepacketizeStatus.Unsupported"/>, for a
    /// packet type other than aggregation and fragmentation that is not a single NAL unit.
    /// </summary>
    protected abstract bool TryRejectType(int type, out RtpDepacketizeStatus status);

    /// <summary>The original NAL unit type carried in a fragmentation unit header.</summary>
    protected abstract int ReadFragmentType(byte fragmentHeader);

    /// <summary>
    /// Writes the <see cref="HeaderLength"/>-byte header of the fragmented NAL unit, rebuilt from the fragmentation
    /// unit's payload header and the original type.
    /// </summary>
    protected abstract void WriteFragmentedHeader(ReadOnlySpan<byte> payload, int nalType, Span<byte> destination);

    private bool? Classify(int type) => IsKeyUnit(type) ? true : IsDeltaSlice(type) ? false : null;

    private static int WriteNal(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        nal.CopyTo(destination[4..]);
        return nal.Length + 4;
    }

    private RtpDepacketizeStatus AppendAggregation(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        var position = HeaderLength;
        var units = 0;
        var output = 0;
        var sawKeyUnit = false;
        while (position < payload.Length)
        {
            if (payload.Length - position < 2)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
            position += 2;
            if (size < HeaderLength || size > payload.Length - position || destination.Length - output < size + 4)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            var nal = payload.Slice(position, size);
            var nalType = ReadType(nal);
            if (!IsAggregatable(nalType))
            {
                return RtpDepacketizeStatus.Malformed; // aggregation units carry plain NAL units only
            }

            sawKeyUnit |= IsKeyUnit(nalType);
            output += WriteNal(nal, destination[output..]);
            position += size;
            units++;
        }

        if (units == 0)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        _sawKeyUnit |= sawKeyUnit;
        written = output;
        return RtpDepacketizeStatus.Ok;
    }

    private RtpDepacketizeStatus AppendFragment(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length < HeaderLength + 2)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        var header = payload[HeaderLength];
        var start = (header & 0x80) != 0;
        var end = (header & 0x40) != 0;
        var nalType = ReadFragmentType(header);
        var data = payload[(HeaderLength + 1)..];
        if (start)
        {
            var prefix = 4 + HeaderLength;
            if (_fragmentActive || end || destination.Length < data.Length + prefix)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
            WriteFragmentedHeader(payload, nalType, destination.Slice(4, HeaderLength));
            data.CopyTo(destination[prefix..]);
            written = data.Length + prefix;
            _fragmentActive = true;
            _fragmentType = nalType;
            _sawKeyUnit |= IsKeyUnit(nalType);
        }
        else
        {
            if (!_fragmentActive)
            {
                return RtpDepacketizeStatus.FragmentWithoutStart;
            }

            if (nalType != _fragmentType || destination.Length < data.Length)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            data.CopyTo(destination);
            written = data.Length;
        }

        if (end)
        {
            _fragmentActive = false;
        }

        return RtpDepacketizeStatus.Ok;
    }
}
