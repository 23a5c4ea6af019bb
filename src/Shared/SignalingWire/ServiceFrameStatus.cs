namespace Kvs.WebRtc.Signaling;

/// <summary>The outcome of decoding one service → client frame.</summary>
internal enum ServiceFrameStatus
{
    /// <summary>A signaling message was decoded.</summary>
    Message = 0,

    /// <summary>
    /// Valid JSON that is not a signaling message (no <c>messageType</c>, e.g. an API-gateway timeout notice), or an
    /// end-of-candidates marker (<c>null</c> or empty candidate): clients ignore it.
    /// </summary>
    Ignorable,

    /// <summary>Not JSON, not an object, or a member of the wrong type.</summary>
    MalformedFrame,

    /// <summary>A well-formed frame whose <c>messagePayload</c> cannot be decoded (base64 or JSON).</summary>
    MalformedPayload,
}
