using System.Text;
using Kvs.WebRtc.Internal;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// How a master refuses a viewer over KVS signaling, which has no error message a master can send: an <c>SDP_ANSWER</c>
/// that rejects every offered section (port 0, <c>a=inactive</c>) and names the reason in the session-level attribute
/// <c>a=x-kvs-refused:&lt;reason&gt;</c>. A browser applies it as a valid answer that connects nothing; a
/// <see cref="ViewerSession"/> recognizes it and fails at once with <see cref="KvsSessionException"/> (<see cref="KvsSessionError.ViewerRefused"/>).
/// </summary>
internal static class ViewerRefusal
{
    /// <summary>The session-level attribute that carries the reason.</summary>
    public const string AttributeName = "x-kvs-refused";

    private const int MaxReasonLength = 200;

    /// <summary>Builds the refusing answer to <paramref name="offerSdp"/> (a malformed offer gets a bare refusal).</summary>
    public static string CreateAnswerSdp(string offerSdp, string reason)
    {
        var text = new StringBuilder(256);
        text.Append("v=0\r\no=- 0 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        text.Append("a=").Append(AttributeName).Append(':').Append(Sanitize(reason)).Append("\r\n");
        if (SdpMediaSections.TryParse(offerSdp, out var sections))
        {
            foreach (var media in sections)
            {
                text.Append("m=").Append(media.Media).Append(" 0 ").Append(media.Protocol);
                foreach (var format in media.Formats)
                {
                    text.Append(' ').Append(format);
                }

                text.Append("\r\nc=IN IP4 0.0.0.0\r\n");
                if (media.Mid is { Length: > 0 } mid)
                {
                    text.Append("a=mid:").Append(mid).Append("\r\n");
                }

                text.Append("a=inactive\r\n");
            }
        }

        return text.ToString();
    }

    /// <summary>Whether <paramref name="answerSdp"/> is a refusal, and its reason.</summary>
    public static bool TryGetReason(string answerSdp, out string reason)
    {
        // A refusal is small and names itself near the top; no full parse is needed to recognize it.
        const string Marker = "\na=" + AttributeName + ":";
        var at = answerSdp.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            reason = string.Empty;
            return false;
        }

        var start = at + Marker.Length;
        var end = answerSdp.IndexOfAny(['\r', '\n'], start);
        reason = Sanitize(answerSdp[start..(end < 0 ? answerSdp.Length : end)]);
        if (reason.Length == 0)
        {
            reason = "unspecified";
        }

        return true;
    }

    // Printable ASCII only, bounded: the reason comes from the remote side and ends up in messages and logs.
    private static string Sanitize(string reason)
    {
        var clean = new StringBuilder(Math.Min(reason.Length, MaxReasonLength));
        foreach (var c in reason)
        {
            if (clean.Length == MaxReasonLength)
            {
                break;
            }

            clean.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return clean.ToString().Trim();
    }
}
