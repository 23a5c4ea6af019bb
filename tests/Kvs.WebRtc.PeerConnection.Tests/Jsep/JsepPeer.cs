using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection.Tests.Jsep;

/// <summary>
/// One side of an offer/answer exchange driven through a <see cref="JsepNegotiator"/> the way the peer connection
/// drives it (offer: ApplyLocal; answer: ApplyRemoteOffer, CreateAnswer, ApplyLocal, Complete), with every description
/// written to text and parsed back, as it would cross the signaling channel.
/// </summary>
internal sealed class JsepPeer
{
    private static readonly SdpFingerprint s_fingerprint = SdpFingerprint.FromBytes("sha-256", Enumerable.Range(0, 32).Select(i => (byte)(i * 5)).ToArray());

    private uint _nextSsrc;

    public JsepPeer(string name, uint firstSsrc)
    {
        Name = name;
        _nextSsrc = firstSsrc;
    }

    public string Name { get; }

    public JsepNegotiator Negotiator { get; } = new();

    public List<JsepTransceiver> Transceivers { get; } = [];

    /// <summary>The rejections of the last <see cref="CreateAnswer"/>.</summary>
    public List<JsepRejection> Rejections { get; } = [];

    public string Cname => Name + "-cname";

    public static IReadOnlyList<SdpCodec> DefaultCodecs(string kind) => kind == "audio" ? MediaCodecs.Audio : MediaCodecs.Video;

    public static SessionDescription Reparse(SessionDescription description) => SessionDescription.Parse(description.ToSdpString());

    public SdpTransportParameters Transport(SdpSetup setup) => new(Name + "ufrag", Name + "-pwd-0123456789abcdef", [s_fingerprint], setup);

    /// <summary>Adds a transceiver (as AddTrack does when <paramref name="addTrack"/>, else as AddTransceiver).</summary>
    public JsepTransceiver Add(string kind, SdpDirection direction = SdpDirection.SendRecv, bool addTrack = true, IReadOnlyList<SdpCodec>? codecs = null)
    {
        var transceiver = new JsepTransceiver(kind, direction, codecs ?? DefaultCodecs(kind), _nextSsrc++, $"{Name}-{kind}-{Transceivers.Count}", [Name + "-stream"])
        {
            CreatedByAddTrack = addTrack,
            HeaderExtensions = MediaCodecs.HeaderExtensions,
        };
        Transceivers.Add(transceiver);
        return transceiver;
    }

    /// <summary>What the connection creates for an offered section no local transceiver takes: receive-only, default codecs.</summary>
    public JsepTransceiver CreateRemote(string kind) =>
        new(kind, SdpDirection.RecvOnly, DefaultCodecs(kind), _nextSsrc++, $"{Name}-remote-{kind}-{Transceivers.Count}", [])
        {
            HeaderExtensions = MediaCodecs.HeaderExtensions,
        };

    public SessionDescription CreateOffer(bool wantData = false) =>
        Reparse(Negotiator.CreateOffer(Transceivers, wantData, Transport(SdpSetup.ActPass), 11, 2, Cname));

    public IReadOnlyList<JsepTransceiver> ApplyRemoteOffer(SessionDescription offer) => Negotiator.ApplyRemoteOffer(offer, Transceivers, CreateRemote);

    public SessionDescription CreateAnswer(SessionDescription offer, bool acceptData = true)
    {
        Rejections.Clear();
        return Reparse(Negotiator.CreateAnswer(offer, Transceivers, acceptData, Transport(SdpSetup.Active), 22, 2, Cname, Rejections));
    }

    /// <summary>Receives <paramref name="offer"/> and answers it, applying both as the answerer.</summary>
    public SessionDescription Answer(SessionDescription offer, bool acceptData = true)
    {
        ApplyRemoteOffer(offer);
        var answer = CreateAnswer(offer, acceptData);
        Negotiator.ApplyLocal(answer);
        Negotiator.Complete(offer, answer, localIsOfferer: false, Transceivers);
        return answer;
    }

    /// <summary>A whole exchange: this side offers, <paramref name="answerer"/> answers.</summary>
    public (SessionDescription Offer, SessionDescription Answer) NegotiateWith(JsepPeer answerer, bool wantData = false)
    {
        var offer = CreateOffer(wantData);
        Negotiator.ApplyLocal(offer);
        var answer = answerer.Answer(offer);
        Negotiator.Complete(offer, answer, localIsOfferer: true, Transceivers);
        return (offer, answer);
    }
}
