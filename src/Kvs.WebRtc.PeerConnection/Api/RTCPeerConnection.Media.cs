using System.Buffers.Binary;
using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>The media half of the connection: transceivers, the W3C track API, and RTP/RTCP routing.</summary>
public sealed partial class RTCPeerConnection
{
    private static readonly TimeSpan s_pliInterval = TimeSpan.FromMilliseconds(300);

    // Receive routing, rebuilt after each negotiation and swapped whole (read lock-free on the receive path).
    private MediaRoutes _routes = MediaRoutes.Empty;
    private long _rtpUnroutable;
    private long _rtcpMalformed;
    private readonly uint _rtcpSsrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>A remote track became available (W3C <c>ontrack</c>): raised when a description announces that the peer sends on a section.</summary>
    public event EventHandler<RTCTrackEventArgs>? Track;

    /// <summary>
    /// Something changed that needs an offer/answer exchange (W3C <c>onnegotiationneeded</c>): a transceiver was added,
    /// its direction changed, it was stopped, or the first data channel was created.
    /// </summary>
    public event EventHandler? NegotiationNeeded;

    /// <summary>RTP packets received that matched no receiver (unknown SSRC and payload type), dropped and counted.</summary>
    public long RtpPacketsUnroutable => Interlocked.Read(ref _rtpUnroutable);

    /// <summary>
    /// Adds a transceiver of <paramref name="kind"/> (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-addtransceiver">addTransceiver</see>).
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.Closed"/>; <see cref="WebRtcError.InvalidParameter"/> for more than one encoding.</exception>
    public RTCRtpTransceiver AddTransceiver(MediaStreamTrackKind kind, RTCRtpTransceiverInit? init = null) =>
        AddTransceiverCore(kind, null, init, createdByAddTrack: false);

    /// <summary>Adds a transceiver that sends <paramref name="track"/> (W3C <c>addTransceiver(track, init)</c>).</summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.Closed"/>; <see cref="WebRtcError.InvalidParameter"/> for more than one encoding.</exception>
    public RTCRtpTransceiver AddTransceiver(LocalMediaTrack track, RTCRtpTransceiverInit? init = null)
    {
        ArgumentNullException.ThrowIfNull(track);
        return AddTransceiverCore(track.Kind, track, init, createdByAddTrack: false);
    }

    /// <summary>
    /// Sends <paramref name="track"/> (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtcpeerconnection-addtrack">addTrack</see>):
    /// reuses a transceiver of the same kind that never sent (for example one created by a remote offer, which then
    /// becomes sendrecv), else adds a sendrecv one.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.Closed"/>; <see cref="WebRtcError.InvalidParameter"/> when the track is already sent on this connection.</exception>
    public RTCRtpSender AddTrack(LocalMediaTrack track, params string[] streamIds)
    {
        ArgumentNullException.ThrowIfNull(track);
        RTCRtpTransceiver? reused;
        lock (_sync)
        {
            ThrowIfClosed();
            if (_transceivers.Exists(t => ReferenceEquals(t.Sender.Track, track)))
            {
                throw new WebRtcException(WebRtcError.InvalidParameter, "The track is already sent on this connection.");
            }

            reused = _transceivers.Find(t => t.Kind == track.Kind && !t.Model.Stopped && t.Sender.Track is null && !t.Model.Sending
                && t.Model.CurrentDirection is not (SdpDirection.SendOnly or SdpDirection.SendRecv));
            if (reused is not null)
            {
                reused.Model.Direction = reused.Model.Direction == SdpDirection.RecvOnly ? SdpDirection.SendRecv : SdpDirection.SendOnly;
                reused.Model.StreamIds = streamIds;
                reused.Model.Codecs = MediaCodecs.Preferring(reused.Model.Codecs, track.Codec);
            }
        }

        if (reused is null)
        {
            return AddTransceiverCore(track.Kind, track, new RTCRtpTransceiverInit { StreamIds = streamIds }, createdByAddTrack: true).Sender;
        }

        _ = reused.Sender.ReplaceTrackAsync(track);
        RaiseNegotiationNeeded();
        return reused.Sender;
    }

    /// <summary>Stops sending the sender's track (W3C <c>removeTrack</c>): the sender's track becomes null and the direction drops its send part.</summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidParameter"/> when the sender is not of this connection.</exception>
    public void RemoveTrack(RTCRtpSender sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        RTCRtpTransceiver transceiver;
        lock (_sync)
        {
            ThrowIfClosed();
            transceiver = _transceivers.Find(t => ReferenceEquals(t.Sender, sender))
                ?? throw new WebRtcException(WebRtcError.InvalidParameter, "The sender does not belong to this connection.");
            transceiver.Model.Direction = transceiver.Model.Direction switch
            {
                SdpDirection.SendRecv => SdpDirection.RecvOnly,
                SdpDirection.SendOnly => SdpDirection.Inactive,
                var d => d,
            };
        }

        _ = sender.ReplaceTrackAsync(null);
        RaiseNegotiationNeeded();
    }

    /// <summary>The transceivers, in the order they were created (W3C <c>getTransceivers</c>).</summary>
    public IReadOnlyList<RTCRtpTransceiver> GetTransceivers()
    {
        lock (_sync)
        {
            return _transceivers.ToList();
        }
    }

    /// <summary>The senders of the transceivers that are not stopped (W3C <c>getSenders</c>).</summary>
    public IReadOnlyList<RTCRtpSender> GetSenders()
    {
        lock (_sync)
        {
            return _transceivers.Where(t => !t.Model.Stopped).Select(t => t.Sender).ToList();
        }
    }

    /// <summary>The receivers of the transceivers that are not stopped (W3C <c>getReceivers</c>).</summary>
    public IReadOnlyList<RTCRtpReceiver> GetReceivers()
    {
        lock (_sync)
        {
            return _transceivers.Where(t => !t.Model.Stopped).Select(t => t.Receiver).ToList();
        }
    }

    private RTCRtpTransceiver AddTransceiverCore(MediaStreamTrackKind kind, LocalMediaTrack? track, RTCRtpTransceiverInit? init, bool createdByAddTrack)
    {
        init ??= new RTCRtpTransceiverInit();
        if (init.SendEncodings.Count > 1)
        {
            throw new WebRtcException(WebRtcError.InvalidParameter, "At most one send encoding is supported (no simulcast).");
        }

        if (init.Direction == RTCRtpTransceiverDirection.Stopped)
        {
            throw new WebRtcException(WebRtcError.InvalidParameter, "A transceiver cannot be created stopped.");
        }

        RTCRtpTransceiver transceiver;
        lock (_sync)
        {
            ThrowIfClosed();
            var codecs = MediaCodecs.For(kind);
            if (track is not null)
            {
                codecs = MediaCodecs.Preferring(codecs, track.Codec);
            }

            var ssrc = NewSsrc();
            var model = new JsepTransceiver(MediaCodecs.Token(kind), RTCRtpTransceiver.ToSdp(init.Direction), codecs, ssrc,
                track?.Id ?? Guid.NewGuid().ToString("D"), init.StreamIds)
            {
                CreatedByAddTrack = createdByAddTrack,
                HeaderExtensions = MediaCodecs.HeaderExtensions,
                RtxSsrc = NewRtxSsrcLocked(kind, ssrc),
            };
            transceiver = NewTransceiverLocked(model, track, init.SendEncodings.Count == 1 ? init.SendEncodings[0] : null);
        }

        RaiseNegotiationNeeded();
        return transceiver;
    }

    private RTCRtpTransceiver NewTransceiverLocked(JsepTransceiver model, LocalMediaTrack? track, RTCRtpEncodingParameters? encoding)
    {
        RTCRtpTransceiver? created = null;
        created = new RTCRtpTransceiver(model, track, encoding, _transport, _logger, _sync, () => { OnTransceiverChanged(created!); RaiseNegotiationNeeded(); },
            () => RequestRemoteKeyFrame(created!), _timeProvider);
        InitializeTransceiverRtcp(created);
        created.Sender.RetransmissionShare = RetransmissionShare;
        created.Sender.RetransmissionFloor = _nackOptions.MinRetransmissionBitrate / 8.0;
        _transceivers.Add(created);
        return created;
    }

    // A transceiver for an offered section no local one could take (JSEP §5.10): receive-only.
    private JsepTransceiver CreateRemoteTransceiverLocked(string kind)
    {
        var mediaKind = kind == "audio" ? MediaStreamTrackKind.Audio : MediaStreamTrackKind.Video;
        var ssrc = NewSsrc();
        var model = new JsepTransceiver(kind, SdpDirection.RecvOnly, MediaCodecs.For(mediaKind), ssrc, Guid.NewGuid().ToString("D"), [])
        {
            HeaderExtensions = MediaCodecs.HeaderExtensions,
            RtxSsrc = NewRtxSsrcLocked(mediaKind, ssrc),
        };
        NewTransceiverLocked(model, null, null);
        return model;
    }

    private List<JsepTransceiver> Models() => _transceivers.Select(t => t.Model).ToList();

    private uint NewSsrc()
    {
        while (true)
        {
            var ssrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue) | ((uint)RandomNumberGenerator.GetInt32(2) << 31);
            if (ssrc != _rtcpSsrc && !_transceivers.Exists(t => t.Model.SendSsrc == ssrc || t.Model.RtxSsrc == ssrc))
            {
                return ssrc;
            }
        }
    }

    private void RaiseNegotiationNeeded()
    {
        if (!_closed)
        {
            Raise(NegotiationNeeded, EventArgs.Empty);
        }
    }

    // After a description was applied (outside the lock): bind senders, rebuild routes, raise Track events.
    private void AfterNegotiation(IReadOnlyList<JsepTransceiver> negotiated, IReadOnlyList<JsepTransceiver> associated)
    {
        List<RTCRtpTransceiver> all;
        lock (_sync)
        {
            all = _transceivers.ToList();
            _routes = MediaRoutes.Build(all);
        }

        ConfigureTransportCc(all);
        UpdateLossRecovery(all);

        foreach (var transceiver in all)
        {
            if (negotiated.Contains(transceiver.Model) || associated.Contains(transceiver.Model))
            {
                transceiver.Sender.Rebind();
                if (transceiver.Model.Stopped)
                {
                    transceiver.Receiver.Track.End();
                }
            }
        }

        foreach (var transceiver in all)
        {
            var model = transceiver.Model;
            var remoteSends = model.RemoteDirection is SdpDirection.SendOnly or SdpDirection.SendRecv;
            if (remoteSends && !model.Stopped && (associated.Contains(model) || negotiated.Contains(model)) && !transceiver.TrackAnnounced)
            {
                transceiver.TrackAnnounced = true;
                Raise(Track, new RTCTrackEventArgs(transceiver, RemoteStreamIds(model.Mid)));
            }
        }
    }

    private List<string> RemoteStreamIds(string? mid)
    {
        lock (_sync)
        {
            var section = mid is null ? null : _remoteSession?.FindMedia(mid);
            return section?.Msids.Select(m => m.StreamId).Where(s => s != "-").ToList() ?? [];
        }
    }

    private void OnSrtpReady()
    {
        // Senders bound before SRTP existed wait for a key frame: ask for it now.
        foreach (var transceiver in GetTransceivers())
        {
            transceiver.Sender.OnSrtpReady();
        }

        StartRtcpReports();
    }

    private void CloseMedia()
    {
        CloseNack();
        foreach (var transceiver in _transceivers.ToList())
        {
            _ = transceiver.Sender.ReplaceTrackAsync(null);
            transceiver.Receiver.Track.End();
        }
    }

    // Receive path: inline on the socket thread, one packet at a time (the transport serializes media receives).
    private void OnMediaPacket(ReadOnlySpan<byte> packet, bool isRtcp)
    {
        var routes = Volatile.Read(ref _routes);
        if (isRtcp)
        {
            OnRtcp(packet, routes);
            return;
        }

        if (!RtpHeader.TryParse(packet, out var header))
        {
            Interlocked.Increment(ref _rtpUnroutable);
            return;
        }

        if (!routes.TryRoute(header.Ssrc, header.PayloadType, out var receiver, out var codec))
        {
            if (!TryDeliverRtx(packet, header, routes))
            {
                Interlocked.Increment(ref _rtpUnroutable);
            }

            return;
        }

        receiver.Receiver.RemoteSsrc ??= header.Ssrc;
        CountReceivedRtp(receiver.Receiver, header, codec);
        receiver.Receiver.Track.Deliver(packet, header.HeaderLength, header.PayloadLength, header.PayloadType, header.SequenceNumber, header.Timestamp,
            header.Ssrc, header.Marker, codec);
        OnRtpDelivered(receiver, header.SequenceNumber);
    }

    private void OnRtcp(ReadOnlySpan<byte> packet, MediaRoutes routes)
    {
        if (!IsWellFormedRtcp(packet))
        {
            OnMalformedRtcp(); // the whole datagram: no packet of a compound with bogus lengths is trusted
            return;
        }

        var reader = new RtcpCompoundReader(packet);
        while (reader.TryReadNext(out var header, out var body))
        {
            if (header.PacketType == (byte)RtcpPacketType.TransportFeedback && header.Format == RtcpFeedbackFormat.GenericNack)
            {
                OnGenericNack(body, routes); // and counted by the reports below
            }

            if (header.Format == RtcpFeedbackFormat.TransportWideCc)
            {
                OnCongestionFeedback(header, body); // TWCC (RTPFB 15) and REMB (PSFB 15)
            }

            if (header.PacketType != (byte)RtcpPacketType.PayloadSpecificFeedback)
            {
                OnRtcpReport(header, body, routes);
                continue;
            }

            if (header.Format == RtcpFeedbackFormat.PictureLossIndication
                && RtcpFeedback.TryParse(body, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, RtcpFeedback.CommonLength, out _, out var mediaSsrc, out _))
            {
                var target = routes.FindSender(mediaSsrc);
                target?.Sender.Statistics?.OnPliReceived();
                target?.Sender.OnKeyFrameRequested();
            }
            else if (header.Format == RtcpFeedbackFormat.FullIntraRequest
                && RtcpFeedback.TryParse(body, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.FullIntraRequest, RtcpFeedback.CommonLength + 8, out _, out _, out var fci))
            {
                for (var offset = 0; offset + 8 <= fci.Length; offset += 8)
                {
                    var target = routes.FindSender(BinaryPrimitives.ReadUInt32BigEndian(fci[offset..]));
                    target?.Sender.Statistics?.OnFirReceived();
                    target?.Sender.OnKeyFrameRequested();
                }
            }
        }
    }

    // Sends a PLI (RFC 4585 §6.3.1) for the transceiver's remote SSRC, at most every 300 ms.
    private void RequestRemoteKeyFrame(RTCRtpTransceiver transceiver)
    {
        if (transceiver.Receiver.RemoteSsrc is not { } ssrc || transceiver.Model.Negotiated is not { } negotiated
            || !negotiated.Codecs.Any(c => c.HasFeedback("nack pli")))
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        if (transceiver.LastPli != 0 && _timeProvider.GetElapsedTime(transceiver.LastPli, now) < s_pliInterval)
        {
            return;
        }

        transceiver.LastPli = now;
        Span<byte> pli = stackalloc byte[RtcpFeedback.CommonLength];
        RtcpFeedback.WriteCommon(pli, RtcpPacketType.PayloadSpecificFeedback, RtcpFeedbackFormat.PictureLossIndication, pli.Length, _rtcpSsrc, ssrc);
        if (_transport.TrySendRtcp(pli))
        {
            transceiver.Receiver.Statistics?.OnPliSent();
        }
    }
}
