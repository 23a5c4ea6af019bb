namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The ServerHello body (RFC 5246 §7.4.1.3) with the extensions echoed to a WebRTC client.</summary>
internal sealed class DtlsServerHello : DtlsHello
{
    public ushort CipherSuite { get; set; }

    /// <summary>The selected SRTP profile, or 0 when use_srtp was not answered.</summary>
    public ushort SrtpProfile { get; set; }

    /// <summary>Parses a ServerHello body; false on any malformation.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsServerHello hello)
    {
        hello = new DtlsServerHello();
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out var version) || !reader.TryReadBytes(32, out var random) ||
            !reader.TryReadVector8(out var sessionId) || sessionId.Length > 32 ||
            !reader.TryReadUInt16(out var suite) || !reader.TryReadByte(out var compression) || compression != 0)
        {
            return false;
        }

        hello.Version = version;
        hello.Random = random.ToArray();
        hello.SessionId = sessionId.ToArray();
        hello.CipherSuite = suite;
        return hello.TryReadExtensions(ref reader);
    }

    /// <summary>Writes the body.</summary>
    public void Write(DtlsWriter writer)
    {
        writer.WriteUInt16(Version);
        writer.WriteBytes(Random);
        writer.WriteByte((byte)SessionId.Length);
        writer.WriteBytes(SessionId);
        writer.WriteUInt16(CipherSuite);
        writer.WriteByte(0);
        var extensions = writer.BeginVector(2);
        WriteSharedExtensions(writer);
        if (SrtpProfile != 0)
        {
            WriteListExtension(writer, DtlsExtensionType.UseSrtp, [SrtpProfile], appendEmptyMki: true);
        }

        writer.EndVector(extensions, 2);
    }

    /// <inheritdoc />
    protected override bool TryReadExtension(ushort type, ReadOnlySpan<byte> data)
    {
        if (type != DtlsExtensionType.UseSrtp)
        {
            return base.TryReadExtension(type, data);
        }

        // The server answers with exactly one profile (RFC 5764 §4.1.1).
        var reader = new DtlsReader(data);
        if (!reader.TryReadVector16(out var profiles) || profiles.Length != 2 || !reader.TryReadVector8(out _))
        {
            return false;
        }

        SrtpProfile = (ushort)((profiles[0] << 8) | profiles[1]);
        return true;
    }
}
