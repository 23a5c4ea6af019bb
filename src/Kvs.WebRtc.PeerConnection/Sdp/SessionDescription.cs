using System.Text;

namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// A parsed or built SDP session description (RFC 8866): the session-level lines, in order, and the media sections.
/// <see cref="Parse"/> then <see cref="ToSdpString"/> reproduces real offers and answers byte for byte (line endings
/// included); unknown lines and attributes are kept in place.
/// </summary>
/// <remarks>Not thread-safe. <see cref="ToString"/> is a summary without attribute values (ICE passwords stay out of logs).</remarks>
internal sealed class SessionDescription : SdpSection
{
    /// <summary>The line terminator used by <see cref="ToSdpString"/>: CRLF (RFC 8866) unless the parsed text used bare LF.</summary>
    public string LineEnding { get; set; } = "\r\n";

    /// <summary>False when the parsed text had no terminator after its last line (written back the same way).</summary>
    public bool EndsWithLineEnding { get; set; } = true;

    /// <summary>The media sections, in order (their index is the m-line index of ICE candidates).</summary>
    public List<MediaDescription> Media { get; } = [];

    /// <summary>The protocol version from <c>v=</c> (always 0).</summary>
    public int Version => Lines.FindIndex(l => l.Type == 'v') is var i and >= 0 && SdpSyntax.TryParseInt(Lines[i].Value, 0, int.MaxValue, out var v) ? v : 0;

    /// <summary>The <c>o=</c> line.</summary>
    public SdpOrigin? Origin => FirstTyped<SdpOrigin>('o', SdpOrigin.TryParse);

    /// <summary>The <c>s=</c> line (WebRTC writes <c>-</c>).</summary>
    public string? SessionName => Lines.FindIndex(l => l.Type == 's') is var i and >= 0 ? Lines[i].Value : null;

    /// <summary>The first <c>t=</c> line.</summary>
    public SdpTiming? Timing => FirstTyped<SdpTiming>('t', SdpTiming.TryParse);

    /// <summary>Every <c>a=group</c>.</summary>
    public IReadOnlyList<SdpGroup> Groups => Collect<SdpGroup>(SdpAttributeNames.Group, SdpGroup.TryParse);

    /// <summary>The <c>a=group:BUNDLE</c> group, or null.</summary>
    public SdpGroup? BundleGroup => Groups.FirstOrDefault(g => string.Equals(g.Semantics, SdpGroup.Bundle, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>a=msid-semantic</c>.</summary>
    public SdpMsidSemantic? MsidSemantic =>
        SdpMsidSemantic.TryParse(GetAttribute(SdpAttributeNames.MsidSemantic), out var s) ? s : null;

    /// <summary><c>a=ice-lite</c> (RFC 8839 section 5.3): the peer is an ICE lite implementation.</summary>
    public bool IceLite => HasAttribute(SdpAttributeNames.IceLite);

    /// <summary>Parses SDP text. CRLF and bare LF line endings are both accepted.</summary>
    /// <exception cref="SdpParseException">The text is malformed or exceeds <see cref="SdpLimits"/>.</exception>
    public static SessionDescription Parse(string sdp) => SdpParser.Parse(sdp);

    /// <summary>Parses SDP text; false (with the reason) instead of an exception when it is malformed.</summary>
    public static bool TryParse(string sdp, out SessionDescription? description, out SdpParseException? error)
    {
        try
        {
            description = SdpParser.Parse(sdp);
            error = null;
            return true;
        }
        catch (SdpParseException e)
        {
            description = null;
            error = e;
            return false;
        }
    }

    /// <summary>Creates a WebRTC session skeleton: <c>v=0</c>, <c>o=- id version IN IP4 127.0.0.1</c>, <c>s=-</c>, <c>t=0 0</c>.</summary>
    public static SessionDescription Create(ulong sessionId, ulong sessionVersion = 2)
    {
        var session = new SessionDescription();
        session.Lines.Add(new SdpLine('v', "0"));
        session.Lines.Add(new SdpLine('o', new SdpOrigin("-", SdpSyntax.Format(sessionId), sessionVersion, "IN", "IP4", "127.0.0.1").ToSdpValue()));
        session.Lines.Add(new SdpLine('s', "-"));
        session.Lines.Add(new SdpLine('t', "0 0"));
        return session;
    }

    /// <summary>The media section with the given mid, or null.</summary>
    public MediaDescription? FindMedia(string mid) => Media.Find(m => string.Equals(m.Mid, mid, StringComparison.Ordinal));

    /// <summary>The ICE ufrag that applies to a media section: its own, else the session's (RFC 8839 section 5.4).</summary>
    public string? GetIceUfrag(MediaDescription media) => media.IceUfrag ?? IceUfrag;

    /// <summary>The ICE password that applies to a media section: its own, else the session's (a secret).</summary>
    public string? GetIcePwd(MediaDescription media) => media.IcePwd ?? IcePwd;

    /// <summary>The fingerprints that apply to a media section: its own, else the session's (RFC 8122 section 5).</summary>
    public IReadOnlyList<SdpFingerprint> GetFingerprints(MediaDescription media) =>
        media.Fingerprints is { Count: > 0 } own ? own : Fingerprints;

    /// <summary>The setup role that applies to a media section: its own, else the session's.</summary>
    public SdpSetup? GetSetup(MediaDescription media) => media.Setup ?? Setup;

    /// <summary>The direction that applies to a media section: its own, else the session's, else sendrecv (RFC 8866 section 6.7).</summary>
    public SdpDirection GetDirection(MediaDescription media) => media.Direction ?? Direction ?? SdpDirection.SendRecv;

    /// <summary>The ICE options that apply to a media section: the session's plus its own.</summary>
    public IReadOnlyList<string> GetIceOptions(MediaDescription media) => IceOptions.Concat(media.IceOptions).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Sets (or removes, when <paramref name="mids"/> is empty) <c>a=group:BUNDLE</c>.</summary>
    public void SetBundle(IEnumerable<string> mids)
    {
        ArgumentNullException.ThrowIfNull(mids);
        var list = mids.ToList();
        if (list.Count == 0)
        {
            Lines.RemoveAll(IsBundleLine);
            return;
        }

        var index = Lines.FindIndex(IsBundleLine);
        var line = SdpLine.Attribute(SdpAttributeNames.Group, new SdpGroup(SdpGroup.Bundle, list).ToSdpValue());
        if (index >= 0)
        {
            Lines[index] = line;
        }
        else
        {
            // After t= (and any session attributes already there) is where browsers put it.
            Lines.Add(line);
        }
    }

    /// <summary>Writes the description as SDP text.</summary>
    public string ToSdpString()
    {
        var builder = new StringBuilder(1024);
        var first = true;
        foreach (var line in Lines)
        {
            Append(builder, line, ref first);
        }

        foreach (var media in Media)
        {
            Append(builder, new SdpLine('m', media.MediaLine), ref first);
            foreach (var line in media.Lines)
            {
                Append(builder, line, ref first);
            }
        }

        if (EndsWithLineEnding && !first)
        {
            builder.Append(LineEnding);
        }

        return builder.ToString();
    }

    /// <summary>A summary without attribute values (safe to log).</summary>
    public override string ToString() =>
        $"SDP with {SdpSyntax.Format(Media.Count)} media section(s): {string.Join(", ", Media.Select(m => $"{m.Media}/{m.Mid ?? "-"}"))}";

    private static bool IsBundleLine(SdpLine line) =>
        line.IsAttributeNamed(SdpAttributeNames.Group) && SdpGroup.TryParse(line.AttributeValue, out var g)
            && string.Equals(g!.Semantics, SdpGroup.Bundle, StringComparison.OrdinalIgnoreCase);

    private void Append(StringBuilder builder, SdpLine line, ref bool first)
    {
        if (!first)
        {
            builder.Append(LineEnding);
        }

        first = false;
        builder.Append(line.Type).Append('=').Append(line.Value);
    }

    private T? FirstTyped<T>(char type, Func<string, (bool Ok, T? Value)> parse)
        where T : class
    {
        foreach (var line in Lines)
        {
            if (line.Type == type)
            {
                var (ok, value) = parse(line.Value);
                return ok ? value : null;
            }
        }

        return null;
    }

    private T? FirstTyped<T>(char type, TryParser<T> parse)
        where T : class =>
        FirstTyped<T>(type, v => (parse(v, out var r), r));
}
