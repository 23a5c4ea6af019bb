namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// A session description could not be parsed. Carries the 1-based line number and a short reason; never the line
/// text (it may hold an ICE password).
/// </summary>
internal sealed class SdpParseException : FormatException
{
    public SdpParseException(int lineNumber, string reason)
        : base(lineNumber > 0 ? $"Invalid SDP at line {lineNumber}: {reason}" : $"Invalid SDP: {reason}")
    {
        LineNumber = lineNumber;
        Reason = reason;
    }

    public SdpParseException()
        : this(0, "malformed session description")
    {
    }

    public SdpParseException(string message)
        : this(0, message)
    {
    }

    public SdpParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The 1-based line number of the offending line; 0 when the problem is not tied to one line.</summary>
    public int LineNumber { get; }

    /// <summary>Why the input was rejected.</summary>
    public string Reason { get; } = string.Empty;
}
