using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Sdp;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A sender and a receiver sharing one m= section (W3C <see href="https://www.w3.org/TR/webrtc/#rtcrtptransceiver-interface">RTCRtpTransceiver</see>).
/// </summary>
/// <remarks>Members may be called from any thread. Changing <see cref="Direction"/>, <see cref="SetCodecPreferences"/>
/// or <see cref="Stop"/> takes effect at the next offer/answer (the connection raises <c>NegotiationNeeded</c>).</remarks>
public sealed class RTCRtpTransceiver
{
    private readonly object _connectionGate;
    private readonly Action _negotiationNeeded;

    internal RTCRtpTransceiver(JsepTransceiver model, LocalMediaTrack? track, RTCRtpEncodingParameters? encoding, IRtpPacketSink sink,
        ILogger logger, object connectionGate, Action negotiationNeeded, Action requestRemoteKeyFrame, TimeProvider? timeProvider = null)
    {
        Model = model;
        Kind = model.Kind == "audio" ? MediaStreamTrackKind.Audio : MediaStreamTrackKind.Video;
        _connectionGate = connectionGate;
        _negotiationNeeded = negotiationNeeded;
        Sender = new RTCRtpSender(this, track, sink, logger, encoding);
        Receiver = new RTCRtpReceiver(new RemoteMediaTrack(Kind, null, requestRemoteKeyFrame, timeProvider));
    }

    /// <summary>Audio or video.</summary>
    public MediaStreamTrackKind Kind { get; }

    /// <summary>The media id, once the transceiver is in an offer or answer (W3C <c>mid</c>).</summary>
    public string? Mid
    {
        get
        {
            lock (_connectionGate)
            {
                return Model.Mid;
            }
        }
    }

    /// <summary>The sender.</summary>
    public RTCRtpSender Sender { get; }

    /// <summary>The receiver.</summary>
    public RTCRtpReceiver Receiver { get; }

    /// <summary>The wanted direction (W3C <c>direction</c>); setting it raises <c>NegotiationNeeded</c>.</summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidState"/> when stopped, or when set to <see cref="RTCRtpTransceiverDirection.Stopped"/> (use <see cref="Stop"/>).</exception>
    public RTCRtpTransceiverDirection Direction
    {
        get
        {
            lock (_connectionGate)
            {
                return Model.Stopped ? RTCRtpTransceiverDirection.Stopped : FromSdp(Model.Direction);
            }
        }

        set
        {
            lock (_connectionGate)
            {
                if (Model.Stopped || value == RTCRtpTransceiverDirection.Stopped)
                {
                    throw new WebRtcException(WebRtcError.InvalidState, "A stopped transceiver's direction cannot change; use Stop() to stop one.");
                }

                if (Model.Direction == ToSdp(value))
                {
                    return;
                }

                Model.Direction = ToSdp(value);
            }

            _negotiationNeeded();
        }
    }

    /// <summary>The direction the last offer/answer settled on, from our side, or null before (W3C <c>currentDirection</c>).</summary>
    public RTCRtpTransceiverDirection? CurrentDirection
    {
        get
        {
            lock (_connectionGate)
            {
                return Model.Stopped && Model.Negotiated is null ? RTCRtpTransceiverDirection.Stopped
                    : Model.CurrentDirection is { } d ? FromSdp(d) : null;
            }
        }
    }

    /// <summary>The codecs negotiated for this section (the first is what the peer prefers), empty before negotiation.</summary>
    public IReadOnlyList<RTCRtpCodecParameters> NegotiatedCodecs
    {
        get
        {
            lock (_connectionGate)
            {
                return Model.Negotiated is { } n ? n.Codecs.Select(c => new RTCRtpCodecParameters(c.PayloadType, RTCRtpSender.ToCodec(n.Kind, c))).ToList() : [];
            }
        }
    }

    internal JsepTransceiver Model { get; }

    /// <summary>Whether the <c>Track</c> event was raised for this transceiver's receiver.</summary>
    internal bool TrackAnnounced { get; set; }

    /// <summary>When the last PLI was sent for this receiver (a <see cref="TimeProvider"/> timestamp), 0 before.</summary>
    internal long LastPli { get; set; }

    /// <summary>
    /// Sets the codecs to offer or accept, in preference order (W3C <c>setCodecPreferences</c>); an empty list restores
    /// the defaults. Takes effect at the next offer or answer.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidParameter"/> when a codec is of the other kind or not supported.</exception>
    public void SetCodecPreferences(IEnumerable<RTCRtpCodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        var list = codecs.ToList();
        if (list.Find(c => c.Kind != Kind) is { } wrongKind)
        {
            throw new WebRtcException(WebRtcError.InvalidParameter, $"{wrongKind} is not a {Kind} codec.");
        }

        var mapped = MediaCodecs.FromPreferences(Kind, list);
        if (list.Count > 0 && mapped.Count == 0)
        {
            throw new WebRtcException(WebRtcError.InvalidParameter, $"None of {string.Join(", ", list)} is supported; supported: {string.Join(", ", MediaCodecs.For(Kind).Select(c => c.Name).Distinct())}.");
        }

        lock (_connectionGate)
        {
            Model.Codecs = list.Count == 0 ? MediaCodecs.For(Kind) : mapped;
        }
    }

    /// <summary>Stops the transceiver for good (W3C <c>stop()</c>): nothing is sent or received, the remote track ends, and the next offer carries port 0.</summary>
    public void Stop()
    {
        lock (_connectionGate)
        {
            if (Model.Stopped)
            {
                return;
            }

            Model.Stopped = true;
        }

        Sender.Rebind();
        Receiver.Track.End();
        _negotiationNeeded();
    }

    /// <inheritdoc/>
    public override string ToString() => $"RTCRtpTransceiver({Kind}, mid {Mid ?? "-"}, {Direction})";

    internal static SdpDirection ToSdp(RTCRtpTransceiverDirection direction) => direction switch
    {
        RTCRtpTransceiverDirection.SendRecv => SdpDirection.SendRecv,
        RTCRtpTransceiverDirection.SendOnly => SdpDirection.SendOnly,
        RTCRtpTransceiverDirection.RecvOnly => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    internal static RTCRtpTransceiverDirection FromSdp(SdpDirection direction) => direction switch
    {
        SdpDirection.SendRecv => RTCRtpTransceiverDirection.SendRecv,
        SdpDirection.SendOnly => RTCRtpTransceiverDirection.SendOnly,
        SdpDirection.RecvOnly => RTCRtpTransceiverDirection.RecvOnly,
        _ => RTCRtpTransceiverDirection.Inactive,
    };
}
