namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>
/// What ClientHello and ServerHello share (RFC 5246 §7.4.1.2-3): version, random, session id, and the
/// extensions both sides carry the same way (extended_master_secret, renegotiation_info, ec_point_formats).
/// </summary>
internal abstract class DtlsHello
{
    /// <summary>Most cipher suites, groups, profiles or signature schemes read from a list; the rest is ignored.</summary>
    protected const int MaxListEntries = 64;

    public ushort Version { get; set; } = DtlsVersion.Dtls12;

    public byte[] Random { get; set; } = new byte[32];

    public byte[] SessionId { get; set; } = [];

    public bool HasExtendedMasterSecret { get; set; }

    public bool HasRenegotiationInfo { get; set; }

    public bool HasEcPointFormats { get; set; }

    /// <summary>Reads the optional extensions block that ends a hello; false when it is malformed or followed by bytes.</summary>
    protected bool TryReadExtensions(ref DtlsReader reader)
    {
        if (reader.Remaining == 0)
        {
            return true;
        }

        if (!reader.TryReadVector16(out var extensions) || reader.Remaining != 0)
        {
            return false;
        }

        var extReader = new DtlsReader(extensions);
        while (extReader.Remaining > 0)
        {
            if (!extReader.TryReadUInt16(out var type) || !extReader.TryReadVector16(out var data) || !TryReadExtension(type, data))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads one extension; the base handles the shared ones and ignores unknown ones.</summary>
    protected virtual bool TryReadExtension(ushort type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case DtlsExtensionType.ExtendedMasterSecret:
                HasExtendedMasterSecret = true;
                return true;
            case DtlsExtensionType.RenegotiationInfo:
                // An initial handshake carries an empty renegotiated_connection (RFC 5746 §3.4).
                var reader = new DtlsReader(data);
                if (!reader.TryReadVector8(out var renegotiated) || !renegotiated.IsEmpty)
                {
                    return false;
                }

                HasRenegotiationInfo = true;
                return true;
            case DtlsExtensionType.EcPointFormats:
                HasEcPointFormats = true;
                return true;
            default:
                return true;
        }
    }

    /// <summary>Writes the shared extensions that are set.</summary>
    protected void WriteSharedExtensions(DtlsWriter writer)
    {
        if (HasEcPointFormats)
        {
            writer.WriteUInt16(DtlsExtensionType.EcPointFormats);
            writer.WriteUInt16(2);
            writer.WriteByte(1);
            writer.WriteByte(0); // uncompressed
        }

        if (HasExtendedMasterSecret)
        {
            writer.WriteUInt16(DtlsExtensionType.ExtendedMasterSecret);
            writer.WriteUInt16(0);
        }

        if (HasRenegotiationInfo)
        {
            writer.WriteUInt16(DtlsExtensionType.RenegotiationInfo);
            writer.WriteUInt16(1);
            writer.WriteByte(0);
        }
    }

    /// <summary>Writes an extension whose body is a 2-byte-length list of 16-bit values (plus an empty MKI for use_srtp).</summary>
    protected static void WriteListExtension(DtlsWriter writer, ushort type, List<ushort> values, bool appendEmptyMki = false)
    {
        writer.WriteUInt16(type);
        var extension = writer.BeginVector(2);
        var list = writer.BeginVector(2);
        values.ForEach(writer.WriteUInt16);
        writer.EndVector(list, 2);
        if (appendEmptyMki)
        {
            writer.WriteByte(0);
        }

        writer.EndVector(extension, 2);
    }

    /// <summary>Reads a 2-byte-length list of 16-bit values into <paramref name="list"/>; false when malformed.</summary>
    protected static bool TryReadList(ref DtlsReader reader, List<ushort> list)
    {
        if (!reader.TryReadVector16(out var data) || data.Length % 2 != 0)
        {
            return false;
        }

        var items = new DtlsReader(data);
        while (list.Count < MaxListEntries && items.TryReadUInt16(out var value))
        {
            list.Add(value);
        }

        return true;
    }
}
