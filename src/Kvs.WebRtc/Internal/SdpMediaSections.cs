using System.Globalization;

namespace Kvs.WebRtc.Internal;

/// <summary>
/// The media sections of an SDP as far as the session layer needs them (kind, port, protocol, formats, mid): a small
/// line scanner over the public SDP text, so that this package needs no internals of the peer-connection package
/// (docs/architecture.md, "Layers"). Tokens are kept only when they are printable ASCII without spaces.
/// </summary>
internal static class SdpMediaSections
{
    private const int MaxSections = 64;

    /// <summary>One <c>m=</c> section.</summary>
    internal sealed record Section(string Media, int Port, string Protocol, IReadOnlyList<string> Formats, string? Mid)
    {
        /// <summary>True for <c>m=application</c> with an SCTP protocol (current or legacy).</summary>
        public bool IsDataChannel => Media == "application" && Protocol.EndsWith("SCTP", StringComparison.OrdinalIgnoreCase);

        /// <summary>True when the port is 0 (a rejected or stopped section).</summary>
        public bool IsRejected => Port == 0;
    }

    /// <summary>Reads the sections; false (and none) when an <c>m=</c> line is malformed or there are too many.</summary>
    public static bool TryParse(string sdp, out IReadOnlyList<Section> sections)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        var result = new List<Section>();
        sections = [];
        string[]? fields = null;
        string? mid = null;
        foreach (var rawLine in sdp.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                if (fields is not null && !TryAdd(result, fields, mid))
                {
                    return false;
                }

                fields = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                mid = null;
            }
            else if (fields is not null && line.StartsWith("a=mid:", StringComparison.Ordinal))
            {
                mid = line[6..].Trim();
            }
        }

        if (fields is not null && !TryAdd(result, fields, mid))
        {
            return false;
        }

        sections = result;
        return true;
    }

    private static bool TryAdd(List<Section> sections, string[] fields, string? mid)
    {
        if (sections.Count == MaxSections || fields.Length < 4 || !fields.All(IsToken) || (mid is not null && mid.Length > 0 && !IsToken(mid)))
        {
            return false;
        }

        var portText = fields[1].Split('/')[0];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        sections.Add(new Section(fields[0], port, fields[2], fields[3..], string.IsNullOrEmpty(mid) ? null : mid));
        return true;
    }

    private static bool IsToken(string value) => value.Length is > 0 and <= 256 && value.All(c => c is > ' ' and <= '~');
}
