namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// Builds the session descriptions and m= sections a WebRTC endpoint sends (RFC 8829 JSEP section 5), in the line
/// order Chromium uses: data-channel offers and answers (RFC 8841), audio/video sections, rejected sections.
/// </summary>
internal static class WebRtcSdp
{
    /// <summary>The SCTP port every WebRTC implementation uses (RFC 8841 section 5).</summary>
    public const int DefaultSctpPort = 5000;

    /// <summary>The <c>a=max-message-size</c> Chromium announces (256 KiB).</summary>
    public const ulong DefaultMaxMessageSize = 262144;

    /// <summary>The legacy <c>a=sctpmap</c> stream count older peers announce.</summary>
    public const int DefaultLegacyStreams = 1024;

    /// <summary>The port placeholder of a section whose candidates are trickled (RFC 8840 section 4.1.1).</summary>
    public const int PlaceholderPort = 9;

    /// <summary>
    /// Creates a session with the given sections: the skeleton lines, <c>a=group:BUNDLE</c> over the non-rejected mids,
    /// <c>a=msid-semantic: WMS</c> and, when asked, <c>a=ice-lite</c>.
    /// </summary>
    public static SessionDescription CreateSession(ulong sessionId, SdpTransportParameters transport, IEnumerable<MediaDescription> sections, ulong sessionVersion = 2)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(sections);
        var session = SessionDescription.Create(sessionId, sessionVersion);
        session.Media.AddRange(sections);
        if (transport.IceLite)
        {
            session.Lines.Add(SdpLine.Attribute(SdpAttributeNames.IceLite, null));
        }

        session.SetBundle(session.Media.Where(m => !m.IsRejected && m.Mid is not null).Select(m => m.Mid!));

        // Chromium writes the legacy form with a space; both Chromium and Firefox accept it.
        session.Lines.Add(SdpLine.Attribute(SdpAttributeNames.MsidSemantic, " WMS"));
        return session;
    }

    /// <summary>An offer with one data channel section (<c>m=application 9 UDP/DTLS/SCTP webrtc-datachannel</c>).</summary>
    public static SessionDescription CreateDataChannelOffer(SdpTransportParameters transport, ulong sessionId, string mid = "0",
        int sctpPort = DefaultSctpPort, ulong? maxMessageSize = DefaultMaxMessageSize) =>
        CreateSession(sessionId, transport, [CreateDataChannelSection(mid, transport, sctpPort, maxMessageSize)]);

    /// <summary>A data channel section (RFC 8841): ICE, fingerprint, setup, mid, <c>a=sctp-port</c>, <c>a=max-message-size</c>.</summary>
    public static MediaDescription CreateDataChannelSection(string mid, SdpTransportParameters transport, int sctpPort = DefaultSctpPort,
        ulong? maxMessageSize = DefaultMaxMessageSize)
    {
        var media = new MediaDescription("application", PlaceholderPort, MediaDescription.DataChannelProtocol, [MediaDescription.DataChannelFormat]);
        AddTransport(media, mid, transport, rtcp: false);
        media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.SctpPort, SdpSyntax.Format(sctpPort)));
        if (maxMessageSize is { } size)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.MaxMessageSize, SdpSyntax.Format(size)));
        }

        return media;
    }

    /// <summary>A legacy data channel section: <c>m=application 9 DTLS/SCTP &lt;port&gt;</c> with <c>a=sctpmap</c>.</summary>
    public static MediaDescription CreateLegacyDataChannelSection(string mid, SdpTransportParameters transport, int sctpPort = DefaultSctpPort,
        int streams = DefaultLegacyStreams)
    {
        var media = new MediaDescription("application", PlaceholderPort, MediaDescription.LegacyDataChannelProtocol, [SdpSyntax.Format(sctpPort)]);
        AddTransport(media, mid, transport, rtcp: false);
        media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.SctpMap, new SdpSctpMap(sctpPort, MediaDescription.DataChannelFormat, streams).ToSdpValue()));
        return media;
    }

    /// <summary>
    /// An audio or video section (<c>m=audio|video 9 UDP/TLS/RTP/SAVPF pt...</c>) with rtcp-mux, the codecs' rtpmap /
    /// rtcp-fb / fmtp lines, and the options' extmap, msid and ssrc lines.
    /// </summary>
    public static MediaDescription CreateMediaSection(string kind, string mid, SdpTransportParameters transport, SdpDirection direction,
        IReadOnlyList<SdpCodec> codecs, SdpMediaOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(codecs);
        if (codecs.Count == 0)
        {
            throw new ArgumentException("At least one codec is required.", nameof(codecs));
        }

        options ??= new SdpMediaOptions();
        var media = new MediaDescription(kind, PlaceholderPort, MediaDescription.RtpProtocol, codecs.Select(c => SdpSyntax.Format(c.PayloadType)));
        AddTransport(media, mid, transport, rtcp: true);
        foreach (var ext in options.ExtMaps)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.ExtMap, ext.ToSdpValue()));
        }

        media.Lines.Add(SdpLine.Attribute(SdpEnumText.Format(direction), null));
        if (options.Msid is { } msid)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.Msid, msid.ToSdpValue()));
        }

        media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.RtcpMux, null));
        if (options.RtcpRsize ?? kind == "video")
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.RtcpRsize, null));
        }

        foreach (var codec in codecs)
        {
            media.AddAttribute(SdpAttributeNames.RtpMap, codec.ToRtpMap().ToSdpValue());
            foreach (var feedback in codec.Feedback ?? [])
            {
                media.AddAttribute(SdpAttributeNames.RtcpFb, $"{SdpSyntax.Format(codec.PayloadType)} {feedback}");
            }

            if (codec.FormatParameters is { Length: > 0 } fmtp)
            {
                media.AddAttribute(SdpAttributeNames.Fmtp, $"{SdpSyntax.Format(codec.PayloadType)} {fmtp}");
            }
        }

        if (options.Ssrc is { } ssrc && options.Cname is { } cname)
        {
            var rtx = options.RtxSsrc is { } r && codecs.Any(c => string.Equals(c.Name, "rtx", StringComparison.OrdinalIgnoreCase)) ? r : (uint?)null;
            if (rtx is { } fid)
            {
                media.AddAttribute(SdpAttributeNames.SsrcGroup, new SdpSsrcGroup("FID", [ssrc, fid]).ToSdpValue());
            }

            uint[] announced = rtx is { } second ? [ssrc, second] : [ssrc];
            foreach (var one in announced)
            {
                media.AddAttribute(SdpAttributeNames.Ssrc, new SdpSsrc(one, "cname", cname).ToSdpValue());
                if (options.Msid is { } m)
                {
                    media.AddAttribute(SdpAttributeNames.Ssrc, new SdpSsrc(one, "msid", m.ToSdpValue()).ToSdpValue());
                }
            }
        }

        return media;
    }

    /// <summary>
    /// Answers an offered audio/video section (RFC 3264 section 6.1, RFC 8829 section 5.3.1): keeps the offered payload
    /// types of the codecs in <paramref name="supported"/> (same name, clock rate and channels; for H.264 the same
    /// packetization-mode and profile), in the offer's order and with the offer's numbers, plus the RTX formats that
    /// repair them (VP9 and H.265: the same profile-id); keeps the offered rtcp-fb lines the local codec also lists; echoes the offered header extensions whose
    /// URI is in <paramref name="options"/>' ExtMaps (with the offered ids); answers the direction. When no codec
    /// matches, returns a rejected section.
    /// </summary>
    public static MediaDescription CreateMediaAnswerSection(MediaDescription offered, SdpTransportParameters transport, SdpDirection localDirection,
        IReadOnlyList<SdpCodec> supported, SdpDirection offeredDirection = SdpDirection.SendRecv, SdpMediaOptions? options = null,
        Func<SdpCodec, SdpRtpMap, string?, bool>? codecMatches = null)
    {
        ArgumentNullException.ThrowIfNull(offered);
        codecMatches ??= CodecMatches;
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(supported);
        var mid = offered.Mid;
        if (offered.IsRejected || mid is null || !offered.Protocol.Contains("RTP", StringComparison.OrdinalIgnoreCase))
        {
            return CreateRejectedSection(offered);
        }

        var accepted = new List<SdpCodec>();
        foreach (var pt in offered.PayloadTypes)
        {
            var map = offered.GetRtpMap(pt) ?? StaticPayloadType(pt);
            if (map is null)
            {
                continue;
            }

            var fmtp = offered.GetFmtp(pt)?.Parameters;
            var local = supported.FirstOrDefault(c => codecMatches(c, map, fmtp));
            if (local is null)
            {
                continue;
            }

            var localFeedback = local.Feedback ?? [];
            var feedback = offered.GetRtcpFeedbacks(pt)
                .Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}")
                .Where(f => localFeedback.Contains(f, StringComparer.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            accepted.Add(new SdpCodec(pt, map.EncodingName, map.ClockRate, map.Channels, fmtp ?? local.FormatParameters, feedback));
        }

        if (accepted.Count == 0)
        {
            return CreateRejectedSection(offered);
        }

        // RTX (RFC 4588) formats whose apt points at an accepted codec.
        foreach (var pt in offered.PayloadTypes)
        {
            var map = offered.GetRtpMap(pt);
            if (map is not null && string.Equals(map.EncodingName, "rtx", StringComparison.OrdinalIgnoreCase)
                && offered.GetFmtp(pt)?.GetParameters() is { } p && p.TryGetValue("apt", out var apt)
                && accepted.Exists(c => SdpSyntax.Format(c.PayloadType) == apt))
            {
                accepted.Add(new SdpCodec(pt, map.EncodingName, map.ClockRate, map.Channels, $"apt={apt}"));
            }
        }

        var wanted = options?.ExtMaps ?? [];
        var extMaps = offered.ExtMaps.Where(e => wanted.Any(w => string.Equals(w.Uri, e.Uri, StringComparison.Ordinal)))
            .Select(e => new SdpExtMap(e.Id, e.Uri)).ToList();
        var answerOptions = (options ?? new SdpMediaOptions()) with { ExtMaps = extMaps, RtcpRsize = offered.RtcpRsize };
        return CreateMediaSection(offered.Media, mid, transport, AnswerDirection(offeredDirection, localDirection), accepted, answerOptions);
    }

    /// <summary>
    /// A rejected answer section for an offered one (RFC 3264 section 6 / RFC 8829 section 5.3.1): same media, protocol and
    /// formats, port 0, <c>c=IN IP4 0.0.0.0</c> and the offered mid.
    /// </summary>
    public static MediaDescription CreateRejectedSection(MediaDescription offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        var formats = offered.Formats.Count > 0 ? offered.Formats : ["0"];
        var media = new MediaDescription(offered.Media, 0, offered.Protocol, formats);
        media.Lines.Add(new SdpLine('c', SdpConnection.Placeholder.ToSdpValue()));
        if (offered.Mid is { } mid)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.Mid, mid));
        }

        return media;
    }

    /// <summary>The direction an answer takes for an offered direction when the answerer wants <paramref name="local"/> (RFC 3264 section 6.1).</summary>
    public static SdpDirection AnswerDirection(SdpDirection offered, SdpDirection local = SdpDirection.SendRecv) =>
        SdpEnumText.Answer(offered, local);

    /// <summary>The setup role an answer takes (RFC 8842 section 5.3): actpass lets us pick <paramref name="preferred"/>.</summary>
    public static SdpSetup AnswerSetup(SdpSetup? offered, SdpSetup preferred = SdpSetup.Active) => offered switch
    {
        SdpSetup.Active => SdpSetup.Passive,
        SdpSetup.Passive => SdpSetup.Active,
        SdpSetup.HoldConn => SdpSetup.HoldConn,
        _ => preferred is SdpSetup.Active or SdpSetup.Passive ? preferred : SdpSetup.Active,
    };

    /// <summary>
    /// Answers an offer with data channels only: accepts the first offered data channel section (current or legacy form,
    /// same mid and SCTP port) and rejects every other section. The answer's setup role follows
    /// <see cref="AnswerSetup"/> with <paramref name="transport"/>'s role as the preference.
    /// </summary>
    /// <exception cref="ArgumentException">The offer has no usable data channel section.</exception>
    public static SessionDescription CreateDataChannelAnswer(SessionDescription offer, SdpTransportParameters transport, ulong sessionId,
        ulong? maxMessageSize = DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(transport);
        var accepted = offer.Media.Find(m => m.IsDataChannel && !m.IsRejected && m.Mid is not null)
            ?? throw new ArgumentException("The offer has no data channel m= section with a mid.", nameof(offer));
        var answerTransport = transport.WithSetup(AnswerSetup(offer.GetSetup(accepted), transport.Setup));
        var sections = new List<MediaDescription>(offer.Media.Count);
        foreach (var offered in offer.Media)
        {
            if (!ReferenceEquals(offered, accepted))
            {
                sections.Add(CreateRejectedSection(offered));
                continue;
            }

            if (string.Equals(offered.Protocol, MediaDescription.LegacyDataChannelProtocol, StringComparison.OrdinalIgnoreCase))
            {
                var map = offered.SctpMap;
                sections.Add(CreateLegacyDataChannelSection(offered.Mid!, answerTransport, offered.SctpPort ?? DefaultSctpPort,
                    map?.Streams ?? DefaultLegacyStreams));
            }
            else
            {
                sections.Add(CreateDataChannelSection(offered.Mid!, answerTransport, offered.SctpPort ?? DefaultSctpPort, maxMessageSize));
            }
        }

        var answer = CreateSession(sessionId, answerTransport, sections);
        if (offer.BundleGroup is null)
        {
            answer.Lines.RemoveAll(l => l.IsAttributeNamed(SdpAttributeNames.Group));
        }

        return answer;
    }

    /// <summary>The RFC 3551 static payload types that may appear without <c>a=rtpmap</c> (PCMU, PCMA, G722), else null.</summary>
    public static SdpRtpMap? StaticPayloadType(int pt) => pt switch
    {
        0 => new SdpRtpMap(0, "PCMU", 8000, 1),
        8 => new SdpRtpMap(8, "PCMA", 8000, 1),
        9 => new SdpRtpMap(9, "G722", 8000, 1),
        _ => null,
    };

    /// <summary>
    /// Whether an offered payload format is one of ours: same name, clock rate and channels; VP9 and H.265 with the same
    /// profile-id; H.264 with the same packetization-mode and the same first four hex digits of profile-level-id (callers
    /// with a profile-aware rule pass their own to <see cref="CreateMediaAnswerSection"/>).
    /// </summary>
    public static bool CodecMatches(SdpCodec local, SdpRtpMap offered, string? offeredFmtp)
    {
        if (!string.Equals(local.Name, offered.EncodingName, StringComparison.OrdinalIgnoreCase) || local.ClockRate != offered.ClockRate
            || (local.Channels ?? 1) != (offered.Channels ?? 1))
        {
            return false;
        }

        // VP9 (RFC 9628 §6): profile-id must match, absent means 0. H.265 (RFC 7798 §7.1): profile-id, absent means 1 (Main).
        if (string.Equals(local.Name, "VP9", StringComparison.OrdinalIgnoreCase))
        {
            return FormatParameter(offeredFmtp, "profile-id", "0") == FormatParameter(local.FormatParameters, "profile-id", "0");
        }

        if (string.Equals(local.Name, "H265", StringComparison.OrdinalIgnoreCase))
        {
            return FormatParameter(offeredFmtp, "profile-id", "1") == FormatParameter(local.FormatParameters, "profile-id", "1");
        }

        if (!string.Equals(local.Name, "H264", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // H.264 (RFC 6184 section 8.2.2): packetization-mode must match; the profile (profile_idc and constraint flags,
        // the first 4 hex digits of profile-level-id) must match; the level may differ (level-asymmetry-allowed).
        var theirs = new SdpFmtp("0", offeredFmtp ?? string.Empty).GetParameters();
        var ours = new SdpFmtp("0", local.FormatParameters ?? string.Empty).GetParameters();
        var theirMode = theirs.TryGetValue("packetization-mode", out var tm) ? tm : "0";
        var ourMode = ours.TryGetValue("packetization-mode", out var om) ? om : "0";
        var theirProfile = theirs.TryGetValue("profile-level-id", out var tp) && tp.Length == 6 ? tp[..4] : "4200";
        var ourProfile = ours.TryGetValue("profile-level-id", out var op) && op.Length == 6 ? op[..4] : "4200";
        return theirMode == ourMode && string.Equals(theirProfile, ourProfile, StringComparison.OrdinalIgnoreCase);
    }

    private static string FormatParameter(string? fmtp, string name, string absent) =>
        new SdpFmtp("0", fmtp ?? string.Empty).GetParameters().TryGetValue(name, out var value) ? value : absent;

    private static void AddTransport(MediaDescription media, string mid, SdpTransportParameters transport, bool rtcp)
    {
        ArgumentException.ThrowIfNullOrEmpty(mid);
        ArgumentNullException.ThrowIfNull(transport);
        media.Lines.Add(new SdpLine('c', SdpConnection.Placeholder.ToSdpValue()));
        if (rtcp)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.Rtcp, "9 IN IP4 0.0.0.0"));
        }

        media.AddAttribute(SdpAttributeNames.IceUfrag, transport.IceUfrag);
        media.AddAttribute(SdpAttributeNames.IcePwd, transport.IcePwd);
        if (transport.TrickleIce)
        {
            media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.IceOptions, "trickle"));
        }

        foreach (var fingerprint in transport.Fingerprints)
        {
            media.AddAttribute(SdpAttributeNames.Fingerprint, fingerprint.ToSdpValue());
        }

        media.Lines.Add(SdpLine.Attribute(SdpAttributeNames.Setup, SdpEnumText.Format(transport.Setup)));
        media.AddAttribute(SdpAttributeNames.Mid, mid);
    }
}
