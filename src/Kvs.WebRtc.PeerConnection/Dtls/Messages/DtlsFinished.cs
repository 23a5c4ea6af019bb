namespace Kvs.WebRtc.PeerConnection.Dtls.Messages;

/// <summary>The Finished body (RFC 5246 §7.4.9): verify_data, 12 bytes for every suite this implementation offers.</summary>
internal readonly ref struct DtlsFinished
{
    /// <summary>The peer's verify_data.</summary>
    public ReadOnlySpan<byte> VerifyData { get; init; }

    /// <summary>Parses a body; false unless it is exactly <see cref="DtlsCodePoint.VerifyDataLength"/> bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out DtlsFinished message)
    {
        message = default;
        if (body.Length != DtlsCodePoint.VerifyDataLength)
        {
            return false;
        }

        message = new DtlsFinished { VerifyData = body };
        return true;
    }
}
