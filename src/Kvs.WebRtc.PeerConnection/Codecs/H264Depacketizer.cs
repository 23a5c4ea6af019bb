using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.264 depacketizer, RFC 6184 non-interleaved mode: single NAL unit packets, STAP-A (§5.7.1) and FU-A (§5.8),
/// written as Annex-B with 4-byte start codes.
/// </summary>
/// <remarks>
/// An FU-A without its start fragment, or broken off before its end, fails the frame. Reserved types 0, 30 and 31
/// are skipped; STAP-B, MTAP16, MTAP24 and FU-B (interleaved mode) are unsupported. A frame is a key frame when it
/// holds an IDR slice.
/// </remarks>
internal sealed class H264Depacketizer : RtpDepacketizer
{
    private bool _fragmentActive;
    private int _fragmentType;
    private bool _sawIdr;

    /// <inheritdoc />
    public override bool FrameStartIsExplicit => false;

    /// <inheritdoc />
    public override bool IsFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0)
        {
            return false;
        }

        var type = payload[0] & 0x1F;
        return type is not ((int)H264NalUnitType.FuA or (int)H264NalUnitType.FuB)
            || (payload.Length > 1 && (payload[1] & 0x80) != 0);
    }

    /// <inheritdoc />
    public override int GetOutputLength(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0)
        {
            return 0;
        }

        return (payload[0] & 0x1F) switch
        {
            (int)H264NalUnitType.StapA => 2 * payload.Length,
            (int)H264NalUnitType.FuA => payload.Length + 3,
            _ => payload.Length + 4,
        };
    }

    /// <inheritdoc />
    public override void BeginFrame()
    {
        _fragmentActive = false;
        _sawIdr = false;
    }

    /// <inheritdoc />
    public override RtpDepacketizeStatus Append(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length == 0)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        var type = payload[0] & 0x1F;
        if (_fragmentActive && type != (int)H264NalUnitType.FuA)
        {
            return RtpDepacketizeStatus.FragmentWithoutStart; // the fragmented unit never got its end
        }

        switch (type)
        {
            case (int)H264NalUnitType.Unspecified:
            case (int)H264NalUnitType.Reserved30:
            case (int)H264NalUnitType.Reserved31:
                return RtpDepacketizeStatus.Skipped;
            case (int)H264NalUnitType.StapB:
            case (int)H264NalUnitType.Mtap16:
            case (int)H264NalUnitType.Mtap24:
            case (int)H264NalUnitType.FuB:
                return RtpDepacketizeStatus.Unsupported;
            case (int)H264NalUnitType.StapA:
                return AppendStapA(payload, destination, out written);
            case (int)H264NalUnitType.FuA:
                return AppendFuA(payload, destination, out written);
            default:
                if (destination.Length < payload.Length + 4)
                {
                    return RtpDepacketizeStatus.Malformed;
                }

                written = WriteNal(payload, destination);
                return RtpDepacketizeStatus.Ok;
        }
    }

    /// <inheritdoc />
    public override bool EndFrame(out bool isKeyFrame)
    {
        isKeyFrame = _sawIdr;
        var complete = !_fragmentActive;
        _fragmentActive = false;
        _sawIdr = false;
        return complete;
    }

    private RtpDepacketizeStatus AppendStapA(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        var position = 1;
        var units = 0;
        var output = 0;
        var sawIdr = false;
        while (position < payload.Length)
        {
            if (payload.Length - position < 2)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
            position += 2;
            if (size == 0 || size > payload.Length - position || destination.Length - output < size + 4)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            var nal = payload.Slice(position, size);
            var nalType = nal[0] & 0x1F;
            if (nalType is (int)H264NalUnitType.Unspecified or >= (int)H264NalUnitType.StapA)
            {
                return RtpDepacketizeStatus.Malformed; // aggregation units carry plain NAL units only
            }

            sawIdr |= nalType == (int)H264NalUnitType.Idr;
            output += WriteNalRaw(nal, destination[output..]);
            position += size;
            units++;
        }

        if (units == 0)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        _sawIdr |= sawIdr;
        written = output;
        return RtpDepacketizeStatus.Ok;
    }

    private RtpDepacketizeStatus AppendFuA(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (payload.Length < 3)
        {
            return RtpDepacketizeStatus.Malformed;
        }

        var header = payload[1];
        var start = (header & 0x80) != 0;
        var end = (header & 0x40) != 0;
        var nalType = header & 0x1F;
        var data = payload[2..];
        if (start)
        {
            if (_fragmentActive || end || destination.Length < data.Length + 5)
            {
                return RtpDepacketizeStatus.Malformed;
            }

            BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
            destination[4] = (byte)((payload[0] & 0xE0) | nalType);
            data.CopyTo(destination[5..]);
            written = data.Length + 5;
            _fragmentActive = true;
            _fragmentType = nalType;
            _sawIdr |= nalType == (int)H264NalUnitType.Idr;
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

    private int WriteNal(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        _sawIdr |= (nal[0] & 0x1F) == (int)H264NalUnitType.Idr;
        return WriteNalRaw(nal, destination);
    }

    private static int WriteNalRaw(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        nal.CopyTo(destination[4..]);
        return nal.Length + 4;
    }
}
