using Kvs.WebRtc.PeerConnection.Jsep;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// Sends one local track on one connection (W3C <see href="https://www.w3.org/TR/webrtc/#rtcrtpsender-interface">RTCRtpSender</see>).
/// Once the section is negotiated with a send direction, the track's frames go out with the negotiated payload type
/// of the track's codec and this sender's SSRC.
/// </summary>
public sealed class RTCRtpSender
{
    private readonly object _gate = new();
    private readonly RTCRtpTransceiver _transceiver;
    private readonly IRtpPacketSink _sink;
    private readonly ILogger _logger;
    private LocalMediaTrack? _track;
    private RtpSenderBinding? _binding;
    private RTCRtpEncodingParameters _encoding;
    private LocalMediaTrack? _trackOfBinding;

    internal RTCRtpSender(RTCRtpTransceiver transceiver, LocalMediaTrack? track, IRtpPacketSink sink, ILogger logger, RTCRtpEncodingParameters? encoding)
    {
        _transceiver = transceiver;
        _track = track;
        _sink = sink;
        _logger = logger;
        _encoding = encoding ?? new RTCRtpEncodingParameters();
    }

    /// <summary>The track being sent, or null (W3C <c>track</c>).</summary>
    public LocalMediaTrack? Track
    {
        get
        {
            lock (_gate)
            {
                return _track;
            }
        }
    }

    /// <summary>
    /// The DTLS transport its packets leave on (W3C <c>transport</c>): the connection's BUNDLE transport once a
    /// description that includes this sender's section was applied, null before.
    /// </summary>
    public RTCDtlsTransport? Transport { get; internal set; }

    /// <summary>The SSRC this sender uses, as announced in <c>a=ssrc</c>.</summary>
    public uint Ssrc => _transceiver.Model.SendSsrc;

    /// <summary>Send statistics of this sender's SSRC across bindings (set by the connection before the first binding).</summary>
    internal RtpSendStatistics? Statistics { get; set; }

    /// <summary>Packets sent so far by the current binding.</summary>
    public long PacketsSent
    {
        get
        {
            lock (_gate)
            {
                return _binding?.PacketsSent ?? 0;
            }
        }
    }

    /// <summary>Frames sent so far by the current binding (key frames included).</summary>
    public long FramesSent
    {
        get
        {
            lock (_gate)
            {
                return _binding?.FramesSent ?? 0;
            }
        }
    }

    /// <summary>Packets resent in answer to NACKs by the current binding (W3C outbound-rtp <c>retransmittedPacketsSent</c>).</summary>
    public long RetransmittedPacketsSent => NackResponder?.RetransmittedPacketsSent ?? 0;

    /// <summary>Payload bytes resent in answer to NACKs by the current binding (W3C outbound-rtp <c>retransmittedBytesSent</c>).</summary>
    public long RetransmittedBytesSent => NackResponder?.RetransmittedBytesSent ?? 0;

    /// <summary>Generic NACK packets received for this sender's current binding (W3C outbound-rtp <c>nackCount</c>).</summary>
    public long NackCount => NackResponder?.NacksReceived ?? 0;

    /// <summary>The share of the stream retransmissions may use; null turns NACK answering off (set by the connection).</summary>
    internal double? RetransmissionShare { get; set; }

    /// <summary>The retransmission rate always allowed (bytes/s), whatever the stream's own rate.</summary>
    internal double RetransmissionFloor { get; set; }

    /// <summary>The NACK responder of the current binding, or null.</summary>
    internal NackResponder? NackResponder
    {
        get
        {
            lock (_gate)
            {
                return _binding?.Nack;
            }
        }
    }

    /// <summary>
    /// Replaces the track without renegotiation (W3C <c>replaceTrack</c>); null stops sending. The new track must be of
    /// the same kind; its codec must be among the negotiated ones to be sent.
    /// </summary>
    /// <exception cref="ArgumentException">The track's kind differs from the transceiver's.</exception>
    public Task ReplaceTrackAsync(LocalMediaTrack? track, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (track is not null && track.Kind != _transceiver.Kind)
        {
            throw new ArgumentException($"A {track.Kind} track cannot replace the track of a {_transceiver.Kind} transceiver.", nameof(track));
        }

        lock (_gate)
        {
            _track = track;
        }

        Rebind();
        return Task.CompletedTask;
    }

    /// <summary>The encoding and the negotiated codecs (W3C <c>getParameters</c>).</summary>
    public RTCRtpSendParameters GetParameters()
    {
        var negotiated = _transceiver.Model.Negotiated;
        lock (_gate)
        {
            return new RTCRtpSendParameters
            {
                Encodings = [_encoding],
                Codecs = negotiated is null ? [] : negotiated.Codecs.Select(c => new RTCRtpCodecParameters(c.PayloadType, ToCodec(negotiated.Kind, c))).ToList(),
            };
        }
    }

    /// <summary>Changes the encoding: <see cref="RTCRtpEncodingParameters.Active"/> and <see cref="RTCRtpEncodingParameters.MaxBitrate"/> (W3C <c>setParameters</c>).</summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidParameter"/> for more than one encoding.</exception>
    public Task SetParametersAsync(RTCRtpSendParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        cancellationToken.ThrowIfCancellationRequested();
        if (parameters.Encodings.Count != 1)
        {
            throw new WebRtcException(WebRtcError.InvalidParameter, "Exactly one encoding is supported (no simulcast).");
        }

        lock (_gate)
        {
            _encoding = parameters.Encodings[0];
            if (_binding is not null)
            {
                _binding.Active = _encoding.Active;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Binds the track to this connection when negotiation allows sending, else unbinds.</summary>
    internal void Rebind()
    {
        var model = _transceiver.Model;
        lock (_gate)
        {
            var negotiated = model.Negotiated;
            RtpSenderBinding? next = null;
            if (_track is { } track && negotiated is { Sends: true } && !model.Stopped)
            {
                var codec = negotiated.Codecs.FirstOrDefault(c => MediaCodecs.Matches(track.Codec, c));
                if (codec is null)
                {
                    MediaLog.TrackCodecNotNegotiated(_logger, negotiated.Kind, track.Codec.ToString(), negotiated.Mid,
                        string.Join(", ", negotiated.Codecs.Select(c => $"{c.Name} {c.FormatParameters}")));
                }
                else if (_binding is { } current && current.PayloadType == codec.PayloadType)
                {
                    return;
                }
                else
                {
                    Statistics?.Bind(codec.PayloadType, codec.ClockRate);
                    next = new RtpSenderBinding(_sink, (byte)codec.PayloadType, model.SendSsrc, track.Kind == MediaStreamTrackKind.Video, Statistics)
                    {
                        Active = _encoding.Active,
                        Nack = CreateNackResponder(track, codec, model),
                    };
                    MediaLog.SenderBound(_logger, negotiated.Mid, codec.PayloadType, codec.Name, model.SendSsrc);
                }
            }

            if (_binding is { } old)
            {
                _trackOfBinding?.Unbind(old);
            }

            _binding = next;
            _trackOfBinding = next is null ? null : _track;
            _trackOfBinding?.Bind(next!);
        }
    }

    /// <summary>The peer asked for a key frame (PLI or FIR for this sender's SSRC).</summary>
    internal void OnKeyFrameRequested()
    {
        LocalMediaTrack? track;
        lock (_gate)
        {
            track = _trackOfBinding;
        }

        track?.RequestKeyFrame();
    }

    /// <summary>
    /// SRTP became ready: a video binding made before it waits for a key frame, and this is its receiver's first usable
    /// request, so it skips the track's rate limit (the request made at binding time, if any, was answered before anyone
    /// could receive it). Time to first frame: the key frame leaves with the next frame the application writes.
    /// </summary>
    internal void OnSrtpReady()
    {
        LocalMediaTrack? track;
        lock (_gate)
        {
            track = _trackOfBinding;
            if (track is null || _binding is not { } binding || !binding.TakeSrtpWait())
            {
                return;
            }
        }

        track.RequestKeyFrame(bypassRateLimit: true);
    }

    private NackResponder? CreateNackResponder(LocalMediaTrack track, NegotiatedCodec codec, JsepTransceiver model) =>
        RetransmissionShare is { } share && track.History is { } history
            ? new NackResponder(history, _sink, track.TimeProvider, (byte)codec.PayloadType, model.SendSsrc, (byte?)codec.RtxPayloadType, model.RtxSsrc, share, RetransmissionFloor)
            : null;

    internal static RTCRtpCodec ToCodec(string kind, NegotiatedCodec codec) =>
        new($"{kind}/{codec.Name}", codec.ClockRate, codec.Channels, codec.FormatParameters);
}
