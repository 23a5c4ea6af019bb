namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// Parses SDP text (RFC 8866 section 5) into a <see cref="SessionDescription"/>, keeping every line verbatim.
/// Accepts CRLF or bare LF endings; rejects anything malformed with an <see cref="SdpParseException"/> that names the
/// line; enforces <see cref="SdpLimits"/>. Never reads past the input and never throws another exception type.
/// </summary>
internal static class SdpParser
{
    // Line types allowed before the first m= line, and inside media sections (RFC 8866 section 5).
    private const string SessionTypes = "vosiuepcbtrzka";
    private const string MediaTypes = "icbka";

    public static SessionDescription Parse(string sdp)
    {
        if (sdp is null)
        {
            throw new SdpParseException(0, "no SDP text");
        }

        if (sdp.Length == 0)
        {
            throw new SdpParseException(0, "empty SDP");
        }

        if (sdp.Length > SdpLimits.MaxLength)
        {
            throw new SdpParseException(0, "SDP exceeds the maximum length");
        }

        var session = new SessionDescription();
        MediaDescription? media = null;
        var lineNumber = 0;
        var position = 0;
        var sawCrlf = false;
        var sawBareLf = false;
        var sawO = false;
        var sawS = false;
        var sawT = false;
        while (position < sdp.Length)
        {
            lineNumber++;
            if (lineNumber > SdpLimits.MaxLines)
            {
                throw new SdpParseException(lineNumber, "too many lines");
            }

            var newline = sdp.IndexOf('\n', position);
            var end = newline < 0 ? sdp.Length : newline;
            var lineEnd = end;
            if (newline >= 0)
            {
                if (end > position && sdp[end - 1] == '\r')
                {
                    lineEnd--;
                    sawCrlf = true;
                }
                else
                {
                    sawBareLf = true;
                }
            }
            else
            {
                session.EndsWithLineEnding = false;
            }

            var text = sdp.AsSpan(position, lineEnd - position);
            position = newline < 0 ? sdp.Length : newline + 1;

            if (text.IsEmpty)
            {
                // A blank line is only tolerated as trailing padding.
                if (sdp.AsSpan(position).Trim("\r\n").IsEmpty)
                {
                    break;
                }

                throw new SdpParseException(lineNumber, "empty line");
            }

            if (text.Length > SdpLimits.MaxLineLength)
            {
                throw new SdpParseException(lineNumber, "line too long");
            }

            if (text.Length < 2 || text[1] != '=' || text[0] is < 'a' or > 'z')
            {
                throw new SdpParseException(lineNumber, "expected <type>=<value>");
            }

            foreach (var c in text)
            {
                if (c is '\0' or '\r')
                {
                    throw new SdpParseException(lineNumber, "control character in line");
                }
            }

            var type = text[0];
            var value = text[2..].ToString();
            if (lineNumber == 1)
            {
                if (type != 'v')
                {
                    throw new SdpParseException(lineNumber, "SDP must start with v=");
                }
            }
            else if (type == 'v')
            {
                throw new SdpParseException(lineNumber, "repeated v= line");
            }

            if (type == 'm')
            {
                if (session.Media.Count >= SdpLimits.MaxMediaSections)
                {
                    throw new SdpParseException(lineNumber, "too many media sections");
                }

                if (SdpValidator.ValidateMediaLine(value) is { } mediaError)
                {
                    throw new SdpParseException(lineNumber, mediaError);
                }

                media = MediaDescription.FromParsedLine(value);
                session.Media.Add(media);
                continue;
            }

            var allowed = media is null ? SessionTypes : MediaTypes;
            if (!allowed.Contains(type, StringComparison.Ordinal))
            {
                // RFC 8866 section 5: the set of types is fixed; an unknown or misplaced type letter is an error.
                throw new SdpParseException(lineNumber, media is null ? $"unexpected '{type}=' line at session level" : $"unexpected '{type}=' line in a media section");
            }

            var line = new SdpLine(type, value);
            if (SdpValidator.ValidateLine(line) is { } error)
            {
                throw new SdpParseException(lineNumber, error);
            }

            if (media is null)
            {
                switch (type)
                {
                    case 'o' when sawO:
                        throw new SdpParseException(lineNumber, "repeated o= line");
                    case 'o':
                        sawO = true;
                        break;
                    case 's' when sawS:
                        throw new SdpParseException(lineNumber, "repeated s= line");
                    case 's':
                        sawS = true;
                        break;
                    case 't':
                        sawT = true;
                        break;
                }

                session.Lines.Add(line);
            }
            else
            {
                media.Lines.Add(line);
            }
        }

        if (!sawO || !sawS || !sawT)
        {
            throw new SdpParseException(0, "missing o=, s= or t= line");
        }

        // Mixed endings are normalised to CRLF; a uniform bare-LF text is written back with LF.
        session.LineEnding = sawBareLf && !sawCrlf ? "\n" : "\r\n";
        return session;
    }
}
