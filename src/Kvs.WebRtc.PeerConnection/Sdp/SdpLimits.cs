namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>Caps applied to session descriptions received from a peer (everything a peer can grow is bounded).</summary>
internal static class SdpLimits
{
    /// <summary>Largest accepted SDP text, in UTF-16 characters. Real offers are 1-20 KB.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>Most lines in one session description.</summary>
    public const int MaxLines = 8192;

    /// <summary>Longest single line (without its line ending).</summary>
    public const int MaxLineLength = 8192;

    /// <summary>Most m= sections.</summary>
    public const int MaxMediaSections = 256;

    /// <summary>Most format (payload type) entries on one m= line.</summary>
    public const int MaxFormats = 128;
}
