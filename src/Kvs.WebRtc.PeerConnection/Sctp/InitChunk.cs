using System.Buffers.Binary;

namespace Kvs.WebRtc.PeerConnection.Sctp;

/// <summary>The value of an INIT or INIT-ACK chunk (RFC 9260 §3.3.2, §3.3.3) with the parameters WebRTC uses.</summary>
internal readonly ref struct InitChunk
{
    public const int FixedLength = 16;

    public uint InitiateTag { get; init; }

    public uint AdvertisedReceiverWindow { get; init; }

    public ushort OutboundStreams { get; init; }

    public ushort InboundStreams { get; init; }

    public uint InitialTsn { get; init; }

    /// <summary>The State Cookie parameter (INIT-ACK only); empty when absent.</summary>
    public ReadOnlySpan<byte> StateCookie { get; init; }

    /// <summary>Forward-TSN-Supported parameter or FORWARD-TSN listed in Supported Extensions (RFC 3758 §3.1).</summary>
    public bool SupportsForwardTsn { get; init; }

    /// <summary>RE-CONFIG listed in Supported Extensions (RFC 6525 §5.1.1).</summary>
    public bool SupportsReconfig { get; init; }

    /// <summary>Parses the chunk value; false when it is malformed or violates RFC 9260 §3.3.2 (zero tag, zero streams).</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out InitChunk init)
    {
        init = default;
        if (value.Length < FixedLength)
        {
            return false;
        }

        var tag = BinaryPrimitives.ReadUInt32BigEndian(value);
        var rwnd = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        var os = BinaryPrimitives.ReadUInt16BigEndian(value[8..]);
        var mis = BinaryPrimitives.ReadUInt16BigEndian(value[10..]);
        var tsn = BinaryPrimitives.ReadUInt32BigEndian(value[12..]);
        if (tag == 0 || os == 0 || mis == 0)
        {
            return false;
        }

        ReadOnlySpan<byte> cookie = default;
        bool forwardTsn = false, reconfig = false;
        var reader = new SctpParameterReader(value[FixedLength..]);
        while (reader.TryReadNext(out var type, out var pv))
        {
            switch ((SctpParameterType)type)
            {
                case SctpParameterType.StateCookie:
                    cookie = pv;
                    break;
                case SctpParameterType.ForwardTsnSupported:
                    forwardTsn = true;
                    break;
                case SctpParameterType.SupportedExtensions:
                    foreach (var t in pv)
                    {
                        forwardTsn |= t == (byte)SctpChunkType.ForwardTsn;
                        reconfig |= t == (byte)SctpChunkType.ReConfig;
                    }

                    break;
                default:
                    // Unknown parameters: RFC 9260 §3.2.1 upper bits say skip or stop; we skip them all, which is
                    // allowed for WebRTC peers (no reporting of unrecognized parameters).
                    break;
            }
        }

        if (reader.Malformed)
        {
            return false;
        }

        init = new InitChunk
        {
            InitiateTag = tag,
            AdvertisedReceiverWindow = rwnd,
            OutboundStreams = os,
            InboundStreams = mis,
            InitialTsn = tsn,
            StateCookie = cookie,
            SupportsForwardTsn = forwardTsn,
            SupportsReconfig = reconfig,
        };
        return true;
    }

    /// <summary>Writes an INIT (no cookie) or INIT-ACK (with cookie) chunk advertising FORWARD-TSN and RE-CONFIG.</summary>
    public static void Write(ref SctpPacketWriter writer, SctpChunkType type, uint initiateTag, uint rwnd, ushort outboundStreams, ushort inboundStreams, uint initialTsn, scoped ReadOnlySpan<byte> cookie)
    {
        writer.BeginChunk(type, 0);
        writer.WriteUInt32(initiateTag);
        writer.WriteUInt32(rwnd);
        writer.WriteUInt16(outboundStreams);
        writer.WriteUInt16(inboundStreams);
        writer.WriteUInt32(initialTsn);
        if (!cookie.IsEmpty)
        {
            writer.WriteParameter((ushort)SctpParameterType.StateCookie, cookie);
        }

        ReadOnlySpan<byte> extensions = [(byte)SctpChunkType.ForwardTsn, (byte)SctpChunkType.ReConfig];
        writer.WriteParameter((ushort)SctpParameterType.SupportedExtensions, extensions);
        writer.WriteParameter((ushort)SctpParameterType.ForwardTsnSupported, default);
        writer.EndChunk();
    }
}
