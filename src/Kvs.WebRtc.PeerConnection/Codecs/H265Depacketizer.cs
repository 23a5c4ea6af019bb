using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.265 depacketizer, RFC 7798 without DONL: single NAL unit packets, aggregation packets (§4.4.2) and
/// fragmentation units (§4.4.3), written as Annex-B with 4-byte start codes.
/// </summary>
/// <remarks>
/// A key frame holds an IRAP picture (types 16–21). Reserved types 41–47 and unspecified types 51–63 are skipped;
/// PACI (50) is unsupported. A fragment without its start, or a fragmented unit broken off, fails the frame.
/// </remarks>
internal sealed class H265Depacketizer : RtpDepacketizer
{
    private bool _fragmentActive;
    private int _fragmentType;
    private bool _sawIrap;

    /// <inheritdoc />
    public override bool FrameStartIsExplicit => false;

    /// <inheritdoc />
    public override bool IsFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            return false;
        }

        return Type(payload) != (int)H265NalUnitType.FragmentationUnit || (payload.Length > 2 && (payload[2] & 0x80) != 0);
    }

    /// <inheritdoc />
    public override int GetOutputLength(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            return 0;
        }

        return Type(payload) switch
        {
            (int)H265NalUnitType.AggregationPacket => 2 * payload.Length,
            (int)H265NalUnitType.FragmentationUnit => payload.Length + 3,
            _ => payload.Length + 4,
        };
    }

    /// <inheritdoc />
    public override void BeginFrame()
    {
        _fragmentActive = false;
        _sawIrap = false;
    }

    /// <inheritdoc />
    public override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length < 2)
        {
            return RtpDepacketizeStatus.Malformed; // shorter than a NAL unit header
        }

        var type = Type(payload);
        if (_fragmentActive && type != (int)H265NalUnitType.FragmentationUnit)
        {
            return RtpDepacketizeStatus.FragmentWithoutStart;
        }

        switch (type)
        {
            case (int)H265NalUnitType.AggregationPacket:
                return AppendAggregation(payload, destination, out written);
            case (int)H265NalUnitType.FragmentationUnit:
                return AppendFragment(payload, destination, out written);
            case (int)H265NalUnitType.Paci:
                return RtpDepacketizeStatus.Unsupported;
            case >= 41:
                return RtpDepacketizeStatus.Skipped;
            default:
                if (destination.Length < payload.Length + 4)
                {
                    return RtpDepacketizeStatus.Malformed;
                }

                _sawIrap |= H265AccessUnit.IsIrap(type);
                written = WriteNal(payload, destination);
                return RtpDepacketizeStatus.Ok;
        }
    }

    /// <inheritdoc />
    public override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = _sawIrap;
        var complete = !_fragmentActive;
        _fragmentActive = false;
        _sawIrap = false;
        return complete;
    }

    private static int Type(ReadOnlySpan<byte> header) => (header[0] >> 1) & 0x3F;

    private static int WriteNal(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        nal.CopyTo(destination[4..]);
        return nal.Length + 4;
    }

    private RtpDepacketizeStatus AppendAggregation(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        var position = 2;
        var units = 0;
        var output = 0;
        var sawIrap = false;
        while (position < payload.Length)
        {
            if (payload.Length - position < 2)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
            position += 2;
            if (size < 2 || size > payload.Length - position || destination.Length - output < size + 4)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            var nal = payload.Slice(position, size);
            var nalType = Type(nal);
            if (nalType >= (int)H265NalUnitType.AggregationPacket)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            sawIrap |= H265AccessUnit.IsIrap(nalType);
            output += WriteNal(nal, destination[output..]);
            position += size;
            units++;
        }

        if (units == 0)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        _sawIrap |= sawIrap;
        written = output;
        return RtpDepacketizeStatus.Ok;
    }

    private RtpDepacketizeStatus AppendFragment(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length < 4)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        var header = payload[2];
        var start = (header & 0x80) != 0;
        var end = (header & 0x40) != 0;
        var nalType = header & 0x3F;
        var data = payload[3..];
        if (start)
        {
            if (_fragmentActive || end || destination.Length < data.Length + 6)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
            destination[4] = (byte)((payload[0] & 0x81) | (nalType << 1));
            destination[5] = payload[1];
            data.CopyTo(destination[6..]);
            written = data.Length + 6;
            _fragmentActive = true;
            _fragmentType = nalType;
            _sawIrap |= H265AccessUnit.IsIrap(nalType);
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
