using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Jsep;

/// <summary>
/// The JSEP rules of RFC 8829 for a peer connection with any mix of audio, video and one data channel section, BUNDLEd
/// on one transport (max-bundle, rtcp-mux): builds offers and answers, associates offered m= sections with
/// transceivers, and turns a completed offer/answer into a <see cref="NegotiatedMedia"/> per mid.
/// </summary>
/// <remarks>
/// <para>Pure and single-threaded: no I/O, no clock; the peer connection calls it under its lock. It keeps only the
/// m= line order of the last applied description, so that re-offers keep every existing section in place (RFC 8829
/// §5.2.2) and append new ones.</para>
/// <para>Sections we cannot accept (unknown media, no common codec, a stopped transceiver) are answered with port 0
/// and reported as <see cref="JsepRejection"/>s so the connection can log why.</para>
/// </remarks>
internal sealed class JsepNegotiator
{
    private static readonly HashSet<string> s_nonMediaFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        "rtx", "red", "ulpfec", "flexfec-03", "CN", "telephone-event",
    };

    // The m= lines of the last applied description: (mid, media), in order.
    private readonly List<(string? Mid, string Media)> _mLines = [];

    /// <summary>The data channel section's mid once one was offered or answered, else null.</summary>
    public string? DataMid { get; private set; }

    /// <summary>Mids in m= line order of the last applied description.</summary>
    public IReadOnlyList<string?> Mids => _mLines.Select(m => m.Mid).ToList();

    /// <summary>
    /// Creates an offer: the sections of the last negotiation in their order (stopped transceivers with port 0), then a
    /// section for each new transceiver (a mid is assigned to it now), then a data section when
    /// <paramref name="wantData"/> and none exists.
    /// </summary>
    public SessionDescription CreateOffer(IReadOnlyList<JsepTransceiver> transceivers, bool wantData, SdpTransportParameters transport,
        ulong sessionId, ulong sessionVersion, string cname, int sctpPort = WebRtcSdp.DefaultSctpPort, ulong? maxMessageSize = WebRtcSdp.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(transceivers);
        ArgumentNullException.ThrowIfNull(transport);
        var sections = new List<MediaDescription>();
        var dataWritten = false;
        foreach (var (mid, media) in _mLines)
        {
            if (mid is not null && mid == DataMid)
            {
                sections.Add(WebRtcSdp.CreateDataChannelSection(mid, transport, sctpPort, maxMessageSize));
                dataWritten = true;
                continue;
            }

            var transceiver = mid is null ? null : Find(transceivers, mid);
            sections.Add(transceiver is { Stopped: false }
                ? CreateMediaSection(transceiver, transport, cname)
                : RejectedOfferSection(media, mid));
        }

        // New transceivers: no mid yet, or a mid given by an earlier offer that was never applied (CreateOffer twice).
        var written = new HashSet<string>(_mLines.Select(m => m.Mid).OfType<string>(), StringComparer.Ordinal);
        foreach (var transceiver in transceivers)
        {
            if (!transceiver.Stopped && (transceiver.Mid is null || !written.Contains(transceiver.Mid)))
            {
                transceiver.Mid ??= NextMid(transceivers);
                sections.Add(CreateMediaSection(transceiver, transport, cname));
            }
        }

        if (wantData && !dataWritten)
        {
            DataMid ??= NextMid(transceivers);
            sections.Add(WebRtcSdp.CreateDataChannelSection(DataMid, transport, sctpPort, maxMessageSize));
        }

        return WebRtcSdp.CreateSession(sessionId, transport, sections, sessionVersion);
    }

    /// <summary>
    /// Associates the sections of a remote offer with transceivers (RFC 8829 §5.10): by mid first; otherwise a
    /// transceiver of the same kind made by <c>AddTrack</c> and not yet associated; otherwise a new receive-only one
    /// from <paramref name="create"/>. Records the remote directions.
    /// </summary>
    /// <returns>The transceivers that were associated or created by this offer.</returns>
    public IReadOnlyList<JsepTransceiver> ApplyRemoteOffer(SessionDescription offer, IList<JsepTransceiver> transceivers, Func<string, JsepTransceiver> create)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(transceivers);
        ArgumentNullException.ThrowIfNull(create);
        var associated = new List<JsepTransceiver>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in offer.Media)
        {
            // A repeated mid or a section outside the offered BUNDLE group is rejected by CreateAnswer: take no transceiver for it.
            if (!IsRtpMedia(section) || section.Mid is not { } mid || !seen.Add(mid) || (!section.IsRejected && !IsBundled(offer, mid)))
            {
                continue;
            }

            var transceiver = Find(transceivers, mid);
            if (transceiver is null)
            {
                if (section.IsRejected)
                {
                    continue;
                }

                transceiver = transceivers.FirstOrDefault(t => t.Mid is null && !t.Stopped && t.CreatedByAddTrack && t.Kind == section.Media);
                if (transceiver is null)
                {
                    transceiver = create(section.Media);
                    transceivers.Add(transceiver);
                }

                transceiver.Mid = mid;
                associated.Add(transceiver);
            }

            transceiver.RemoteDirection = section.IsRejected ? SdpDirection.Inactive : offer.GetDirection(section);
        }

        Remember(offer);
        return associated;
    }

    /// <summary>
    /// Answers <paramref name="offer"/> (after <see cref="ApplyRemoteOffer"/>): every offered section in order, audio and
    /// video through <see cref="WebRtcSdp.CreateMediaAnswerSection"/> with the transceiver's direction and codecs, the
    /// first data section when <paramref name="acceptData"/>, everything else with port 0 (listed in
    /// <paramref name="rejections"/>), including a repeated mid and a section outside the offered BUNDLE group.
    /// </summary>
    public SessionDescription CreateAnswer(SessionDescription offer, IReadOnlyList<JsepTransceiver> transceivers, bool acceptData,
        SdpTransportParameters transport, ulong sessionId, ulong sessionVersion, string cname, ICollection<JsepRejection> rejections,
        ulong? maxMessageSize = WebRtcSdp.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(transceivers);
        ArgumentNullException.ThrowIfNull(rejections);
        var firstAccepted = offer.Media.FirstOrDefault(m => !m.IsRejected && (IsRtpMedia(m) || m.IsDataChannel));
        var answerTransport = transport.WithSetup(WebRtcSdp.AnswerSetup(firstAccepted is null ? null : offer.GetSetup(firstAccepted), transport.Setup));
        var sections = new List<MediaDescription>(offer.Media.Count);
        var dataAnswered = false;
        var answeredMids = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < offer.Media.Count; index++)
        {
            var offered = offer.Media[index];
            if (offered.IsRejected || offered.Mid is null)
            {
                if (!offered.IsRejected)
                {
                    rejections.Add(new JsepRejection(index, null, offered.Media, "the section has no a=mid (BUNDLE requires one)"));
                }

                sections.Add(WebRtcSdp.CreateRejectedSection(offered));
                continue;
            }

            if (!answeredMids.Add(offered.Mid) || !IsBundled(offer, offered.Mid))
            {
                rejections.Add(new JsepRejection(index, offered.Mid, offered.Media, IsBundled(offer, offered.Mid)
                    ? $"duplicate a=mid:{offered.Mid} (mids must be unique)"
                    : "not in the offer's BUNDLE group (only one transport is supported)"));
                sections.Add(WebRtcSdp.CreateRejectedSection(offered));
                continue;
            }

            if (offered.IsDataChannel)
            {
                if (!acceptData || dataAnswered)
                {
                    rejections.Add(new JsepRejection(index, offered.Mid, offered.Media,
                        dataAnswered ? "only one data channel section is supported" : "data channels are not accepted here"));
                    sections.Add(WebRtcSdp.CreateRejectedSection(offered));
                    continue;
                }

                dataAnswered = true;
                DataMid = offered.Mid;
                sections.Add(string.Equals(offered.Protocol, MediaDescription.LegacyDataChannelProtocol, StringComparison.OrdinalIgnoreCase)
                    ? WebRtcSdp.CreateLegacyDataChannelSection(offered.Mid, answerTransport, offered.SctpPort ?? WebRtcSdp.DefaultSctpPort,
                        offered.SctpMap?.Streams ?? WebRtcSdp.DefaultLegacyStreams)
                    : WebRtcSdp.CreateDataChannelSection(offered.Mid, answerTransport, offered.SctpPort ?? WebRtcSdp.DefaultSctpPort, maxMessageSize));
                continue;
            }

            if (!IsRtpMedia(offered))
            {
                rejections.Add(new JsepRejection(index, offered.Mid, offered.Media,
                    $"unsupported media '{offered.Media}' with protocol '{offered.Protocol}' (audio and video need UDP/TLS/RTP/SAVPF)"));
                sections.Add(WebRtcSdp.CreateRejectedSection(offered));
                continue;
            }

            var transceiver = Find(transceivers, offered.Mid);
            if (transceiver is null || transceiver.Stopped)
            {
                rejections.Add(new JsepRejection(index, offered.Mid, offered.Media, transceiver is null ? "no transceiver for this section" : "the transceiver is stopped"));
                sections.Add(WebRtcSdp.CreateRejectedSection(offered));
                continue;
            }

            var offeredDirection = offer.GetDirection(offered);
            var direction = WebRtcSdp.AnswerDirection(offeredDirection, transceiver.Direction);
            var answer = WebRtcSdp.CreateMediaAnswerSection(offered, answerTransport, transceiver.Direction, transceiver.Codecs, offeredDirection,
                MediaOptions(transceiver, direction, cname), CodecMatches);
            if (answer.IsRejected)
            {
                rejections.Add(new JsepRejection(index, offered.Mid, offered.Media,
                    $"no common codec: offered {DescribeOffered(offered)}; supported {string.Join(", ", transceiver.Codecs.Select(Describe))}"));
            }

            sections.Add(answer);
        }

        var session = WebRtcSdp.CreateSession(sessionId, answerTransport, sections, sessionVersion);
        if (offer.BundleGroup is null)
        {
            session.Lines.RemoveAll(l => l.IsAttributeNamed(SdpAttributeNames.Group));
        }

        return session;
    }

    /// <summary>Records the m= line order of a description we applied as local (offer or answer).</summary>
    public void ApplyLocal(SessionDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Remember(description);
    }

    /// <summary>
    /// Completes an offer/answer exchange: for every audio/video section of <paramref name="answer"/> sets the matching
    /// transceiver's <see cref="JsepTransceiver.Negotiated"/> and <see cref="JsepTransceiver.CurrentDirection"/>. A section
    /// the remote answerer rejected stops its transceiver (W3C "set the session description" step for rejected sections).
    /// </summary>
    /// <returns>The transceivers whose negotiation changed.</returns>
    public IReadOnlyList<JsepTransceiver> Complete(SessionDescription offer, SessionDescription answer, bool localIsOfferer, IReadOnlyList<JsepTransceiver> transceivers)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(transceivers);
        var changed = new List<JsepTransceiver>();
        var remote = localIsOfferer ? answer : offer;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in answer.Media)
        {
            if (section.Mid is not { } mid || !seen.Add(mid))
            {
                continue;
            }

            if (section.IsDataChannel)
            {
                DataMid = section.IsRejected ? null : mid;
                continue;
            }

            var transceiver = Find(transceivers, mid);
            if (transceiver is null || !IsRtpMedia(section))
            {
                continue;
            }

            changed.Add(transceiver);
            if (section.IsRejected)
            {
                transceiver.Negotiated = null;
                transceiver.CurrentDirection = null;
                transceiver.Stopped |= localIsOfferer;
                continue;
            }

            var answerDirection = answer.GetDirection(section);
            var local = localIsOfferer ? Reverse(answerDirection) : answerDirection;
            if (localIsOfferer)
            {
                transceiver.RemoteDirection = answerDirection;
            }

            var remoteSection = remote.FindMedia(mid) ?? section;
            var (ssrcs, rtx) = ReadSsrcs(remoteSection);
            transceiver.CurrentDirection = local;
            transceiver.Negotiated = new NegotiatedMedia(mid, transceiver.Kind, local, ReadCodecs(section),
                section.ExtMaps, ssrcs, rtx, section.RtcpRsize);
        }

        Remember(answer);
        return changed;
    }

    /// <summary>The agreed payload formats of a section, in its order, RTX folded into the codec it repairs.</summary>
    public static IReadOnlyList<NegotiatedCodec> ReadCodecs(MediaDescription section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var codecs = new List<NegotiatedCodec>();
        var rtx = new Dictionary<int, int>();
        foreach (var pt in section.PayloadTypes)
        {
            var map = section.GetRtpMap(pt) ?? WebRtcSdp.StaticPayloadType(pt);
            if (map is null)
            {
                continue;
            }

            var fmtp = section.GetFmtp(pt);
            if (string.Equals(map.EncodingName, "rtx", StringComparison.OrdinalIgnoreCase))
            {
                if (fmtp?.GetParameters() is { } p && p.TryGetValue("apt", out var apt) && int.TryParse(apt, out var aptPt))
                {
                    rtx[aptPt] = pt;
                }

                continue;
            }

            if (s_nonMediaFormats.Contains(map.EncodingName))
            {
                continue;
            }

            var feedback = section.GetRtcpFeedbacks(pt).Select(f => f.Parameter is null ? f.Type : $"{f.Type} {f.Parameter}").ToList();
            codecs.Add(new NegotiatedCodec(pt, map.EncodingName, map.ClockRate, map.Channels, fmtp?.Parameters, feedback, null));
        }

        return codecs.Select(c => rtx.TryGetValue(c.PayloadType, out var r) ? c with { RtxPayloadType = r } : c).ToList();
    }

    /// <summary>
    /// Whether an offered format is one of our codecs: for H.264 by profile as RFC 6184 §8.2.2 and libwebrtc define it
    /// (42e01f, 42c01f and 4240xx are all Constrained Baseline; an absent profile-level-id counts as 42e01f), the level
    /// being free (level asymmetry), and the same packetization-mode; otherwise <see cref="WebRtcSdp.CodecMatches"/>.
    /// </summary>
    public static bool CodecMatches(SdpCodec local, SdpRtpMap offered, string? offeredFmtp)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(offered);
        if (!string.Equals(local.Name, "H264", StringComparison.OrdinalIgnoreCase) || !string.Equals(offered.EncodingName, "H264", StringComparison.OrdinalIgnoreCase))
        {
            return WebRtcSdp.CodecMatches(local, offered, offeredFmtp);
        }

        return local.ClockRate == offered.ClockRate
            && Codecs.H264FormatParameters.IsCompatible(Codecs.H264FormatParameters.Parse(local.FormatParameters), Codecs.H264FormatParameters.Parse(offeredFmtp));
    }

    /// <summary>The direction seen from the other side (sendonly ↔ recvonly).</summary>
    public static SdpDirection Reverse(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => SdpDirection.RecvOnly,
        SdpDirection.RecvOnly => SdpDirection.SendOnly,
        _ => direction,
    };

    /// <summary>True for an audio or video section over secure RTP (<c>[UDP/TLS/]RTP/SAVP[F]</c>, RFC 8829 §5.1.3); plain RTP/AVP is not.</summary>
    public static bool IsRtpMedia(MediaDescription section) =>
        section.Media is "audio" or "video" && section.Protocol.Contains("RTP/SAVP", StringComparison.OrdinalIgnoreCase);

    // Without a BUNDLE group every section is taken on our one transport; with one, only its members (RFC 8843 §7.3).
    private static bool IsBundled(SessionDescription offer, string mid) =>
        offer.BundleGroup is not { } group || group.Mids.Contains(mid, StringComparer.Ordinal);

    private static (IReadOnlyList<uint> Ssrcs, IReadOnlyDictionary<uint, uint> Rtx) ReadSsrcs(MediaDescription section)
    {
        var rtx = new Dictionary<uint, uint>();
        foreach (var group in section.SsrcGroups)
        {
            if (string.Equals(group.Semantics, "FID", StringComparison.OrdinalIgnoreCase) && group.Ssrcs.Count == 2)
            {
                rtx[group.Ssrcs[1]] = group.Ssrcs[0];
            }
        }

        var ssrcs = section.Ssrcs.Select(s => s.Ssrc).Where(s => !rtx.ContainsKey(s)).Distinct().ToList();
        return (ssrcs, rtx);
    }

    private static MediaDescription CreateMediaSection(JsepTransceiver transceiver, SdpTransportParameters transport, string cname) =>
        WebRtcSdp.CreateMediaSection(transceiver.Kind, transceiver.Mid!, transport, transceiver.Direction,
            transceiver.RtxSsrc is not null && transceiver.Kind == "video" ? JsepRtx.WithRtx(transceiver.Codecs) : transceiver.Codecs,
            MediaOptions(transceiver, transceiver.Direction, cname));

    private static SdpMediaOptions MediaOptions(JsepTransceiver transceiver, SdpDirection direction, string cname)
    {
        if (direction is not (SdpDirection.SendRecv or SdpDirection.SendOnly))
        {
            return new SdpMediaOptions { ExtMaps = transceiver.HeaderExtensions };
        }

        var msid = new SdpMsid(transceiver.StreamIds.Count > 0 ? transceiver.StreamIds[0] : "-", transceiver.TrackId);
        return new SdpMediaOptions { Msid = msid, Ssrc = transceiver.SendSsrc, Cname = cname, ExtMaps = transceiver.HeaderExtensions, RtxSsrc = transceiver.RtxSsrc };
    }

    private static MediaDescription RejectedOfferSection(string media, string? mid)
    {
        var isData = media == "application";
        var section = new MediaDescription(media, 0, isData ? MediaDescription.DataChannelProtocol : MediaDescription.RtpProtocol,
            [isData ? MediaDescription.DataChannelFormat : "0"]);
        section.Lines.Add(new SdpLine('c', SdpConnection.Placeholder.ToSdpValue()));
        if (mid is not null)
        {
            section.Lines.Add(SdpLine.Attribute(SdpAttributeNames.Mid, mid));
        }

        return section;
    }

    private static JsepTransceiver? Find(IEnumerable<JsepTransceiver> transceivers, string mid) =>
        transceivers.FirstOrDefault(t => string.Equals(t.Mid, mid, StringComparison.Ordinal));

    private static string Describe(SdpCodec codec) =>
        codec.FormatParameters is { Length: > 0 } fmtp ? $"{codec.Name}/{codec.ClockRate} ({fmtp})" : $"{codec.Name}/{codec.ClockRate}";

    private static string DescribeOffered(MediaDescription offered)
    {
        var names = ReadCodecs(offered).Select(c => c.FormatParameters is { Length: > 0 } f ? $"{c.Name}/{c.ClockRate} ({f})" : $"{c.Name}/{c.ClockRate}").ToList();
        return names.Count == 0 ? "nothing" : string.Join(", ", names);
    }

    private string NextMid(IEnumerable<JsepTransceiver> transceivers)
    {
        var used = new HashSet<string>(transceivers.Select(t => t.Mid).OfType<string>(), StringComparer.Ordinal);
        used.UnionWith(_mLines.Select(m => m.Mid).OfType<string>());
        if (DataMid is not null)
        {
            used.Add(DataMid);
        }

        for (var i = 0; ; i++)
        {
            var candidate = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    private void Remember(SessionDescription description)
    {
        _mLines.Clear();
        foreach (var section in description.Media)
        {
            _mLines.Add((section.Mid, section.Media));
            if (section.IsDataChannel && !section.IsRejected && section.Mid is not null)
            {
                DataMid ??= section.Mid;
            }
        }
    }
}
