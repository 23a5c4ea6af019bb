namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// The DTLS ClientHello body (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2) with the extensions WebRTC needs:
/// supported_groups, ec_point_formats, signature_algorithms, use_srtp, extended_master_secret, renegotiation_info.
/// </summary>
internal sealed class DtlsClientHello : DtlsHello
{
    public byte[] Cookie { get; set; } = [];

    public List<ushort> CipherSuites { get; } = [];

    public List<ushort> SupportedGroups { get; } = [];

    public List<ushort> SignatureAlgorithms { get; } = [];

    public List<ushort> SrtpProfiles { get; } = [];

    /// <summary>The bytes after the cookie (suites, compression, extensions): what the server's cookie HMAC covers with the random.</summary>
    public byte[] CookieCoveredTail { get; private set; } = [];

    /// <summary>Parses a ClientHello body; false on any malformation.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsClientHello hello)
    {
        hello = new DtlsClientHello();
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out var version) || !reader.TryReadBytes(32, out var random) ||
            !reader.TryReadVector8(out var sessionId) || sessionId.Length > 32 || !reader.TryReadVector8(out var cookie))
        {
            return false;
        }

        hello.Version = version;
        hello.Random = random.ToArray();
        hello.SessionId = sessionId.ToArray();
        hello.Cookie = cookie.ToArray();
        var tailStart = body.Length - reader.Remaining;
        if (!TryReadList(ref reader, hello.CipherSuites) || hello.CipherSuites.Count == 0 ||
            !reader.TryReadVector8(out var compression) || !compression.Contains((byte)0))
        {
            return false;
        }

        hello.CookieCoveredTail = body[tailStart..].ToArray();
        if (!hello.TryReadExtensions(ref reader))
        {
            return false;
        }

        // TLS_EMPTY_RENEGOTIATION_INFO_SCSV signals the same as an empty renegotiation_info (RFC 5746 §3.3).
        if (hello.CipherSuites.Contains(DtlsExtensionType.EmptyRenegotiationInfoScsv))
        {
            hello.HasRenegotiationInfo = true;
        }

        return true;
    }

    /// <summary>Writes the body (always offering ec_point_formats: uncompressed).</summary>
    public void Write(DtlsWriter writer)
    {
        writer.WriteUInt16(Version);
        writer.WriteBytes(Random);
        writer.WriteByte((byte)SessionId.Length);
        writer.WriteBytes(SessionId);
        writer.WriteByte((byte)Cookie.Length);
        writer.WriteBytes(Cookie);
        var suites = writer.BeginVector(2);
        CipherSuites.ForEach(writer.WriteUInt16);
        writer.EndVector(suites, 2);
        writer.WriteByte(1);
        writer.WriteByte(0); // null compression only

        HasEcPointFormats = true;
        var extensions = writer.BeginVector(2);
        if (SupportedGroups.Count > 0)
        {
            WriteListExtension(writer, DtlsExtensionType.SupportedGroups, SupportedGroups);
        }

        if (SignatureAlgorithms.Count > 0)
        {
            WriteListExtension(writer, DtlsExtensionType.SignatureAlgorithms, SignatureAlgorithms);
        }

        if (SrtpProfiles.Count > 0)
        {
            WriteListExtension(writer, DtlsExtensionType.UseSrtp, SrtpProfiles, appendEmptyMki: true);
        }

        WriteSharedExtensions(writer);
        writer.EndVector(extensions, 2);
    }

    /// <inheritdoc />
    protected override bool TryReadExtension(ushort type, ReadOnlySpan<byte> data)
    {
        var reader = new DtlsReader(data);
        return type switch
        {
            DtlsExtensionType.SupportedGroups => TryReadList(ref reader, SupportedGroups),
            DtlsExtensionType.SignatureAlgorithms => TryReadList(ref reader, SignatureAlgorithms),
            DtlsExtensionType.UseSrtp => TryReadList(ref reader, SrtpProfiles) && reader.TryReadVector8(out _),
            _ => base.TryReadExtension(type, data),
        };
    }
}
