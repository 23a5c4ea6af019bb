using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// What a remote description says about its BUNDLE transport (RFC 8843: the first accepted section of the BUNDLE group,
/// the "BUNDLE tag"): ICE credentials and candidates (RFC 8839), fingerprints (RFC 8122), the DTLS role it implies for
/// us (RFC 8842), and, when it has a data channel section, sctp-port and max-message-size (RFC 8841). Validated as a
/// whole before the connection changes anything.
/// </summary>
internal sealed record RemoteTransport(
    string Mid,
    int MLineIndex,
    IceCredentials Credentials,
    IReadOnlyList<DtlsFingerprint> Fingerprints,
    DtlsRole LocalDtlsRole,
    int? SctpPort,
    int MaxMessageSize,
    IReadOnlyList<IceCandidate> Candidates,
    bool EndOfCandidates)
{
    private const int DefaultMaxMessageSize = 65536;

    /// <summary>
    /// Extracts the transport; null when the description accepts no section at all.
    /// </summary>
    /// <exception cref="WebRtcException"><see cref="WebRtcError.InvalidSessionDescription"/> for missing or invalid attributes.</exception>
    public static RemoteTransport? From(SessionDescription session, RTCSdpType type)
    {
        var bundle = session.BundleGroup?.Mids;
        var data = session.Media.Find(m => !m.IsRejected && (bundle is null || (m.Mid is { } id && bundle.Contains(id)))
            && (m.IsDataChannel || m.Media is "audio" or "video"));
        if (data is null)
        {
            return null;
        }

        var sctp = session.Media.Find(m => m.IsDataChannel && !m.IsRejected);

        var mid = data.Mid;
        if (string.IsNullOrEmpty(mid))
        {
            throw Invalid("The BUNDLE section has no a=mid.");
        }

        var ufrag = session.GetIceUfrag(data);
        var pwd = session.GetIcePwd(data);
        if (ufrag is null || pwd is null)
        {
            throw Invalid("The BUNDLE section has no a=ice-ufrag or a=ice-pwd.");
        }

        var credentials = new IceCredentials(ufrag, pwd);
        if (!credentials.IsValid)
        {
            throw Invalid("The ICE ufrag or password is not a valid ice-char string of the required length (RFC 8839 §5.4).");
        }

        var fingerprints = new List<DtlsFingerprint>();
        foreach (var fingerprint in session.GetFingerprints(data))
        {
            if (DtlsFingerprint.TryParse(fingerprint.ToSdpValue(), out var parsed))
            {
                fingerprints.Add(parsed);
            }
        }

        if (fingerprints.Count == 0)
        {
            throw Invalid("The BUNDLE section has no supported a=fingerprint.");
        }

        var setup = session.GetSetup(data);
        DtlsRole role;
        if (type == RTCSdpType.Offer)
        {
            // We answer with setup:active unless the offer is active (RFC 8842 §5.3; what browsers do).
            role = WebRtcSdp.AnswerSetup(setup, SdpSetup.Active) == SdpSetup.Active ? DtlsRole.Client : DtlsRole.Server;
        }
        else
        {
            role = setup switch
            {
                SdpSetup.Active => DtlsRole.Server,
                SdpSetup.Passive => DtlsRole.Client,
                _ => throw Invalid("An answer must carry a=setup:active or a=setup:passive (RFC 8842 §5.2)."),
            };
        }

        var maxMessageSize = sctp?.MaxMessageSize switch
        {
            null => DefaultMaxMessageSize,
            0 => int.MaxValue,
            > int.MaxValue => int.MaxValue,
            { } size => (int)size,
        };

        var candidates = new List<IceCandidate>();
        foreach (var line in data.Candidates)
        {
            // A malformed candidate inside the SDP is skipped (the rest of the description is usable).
            if (IceCandidate.TryParse("candidate:" + line, out var candidate, out _))
            {
                candidates.Add(candidate!);
            }
        }

        return new RemoteTransport(mid, session.Media.IndexOf(data), credentials, fingerprints, role,
            sctp is null ? null : sctp.SctpPort ?? WebRtcSdp.DefaultSctpPort,
            maxMessageSize, candidates, data.EndOfCandidates);
    }

    private static WebRtcException Invalid(string message) => new(WebRtcError.InvalidSessionDescription, message);
}
