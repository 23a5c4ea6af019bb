using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Sdp;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>
/// The SDP these ICE-only tests need, through the SDP library: reads ufrag, pwd and candidates from Chromium's SDP,
/// and writes the data-channel-only description for our side.
/// </summary>
internal static class ChromiumSdp
{
    public static (string Ufrag, string Password, IReadOnlyList<string> Candidates) Read(string sdp)
    {
        var session = SessionDescription.Parse(sdp);
        var media = session.Media[0];
        return (session.GetIceUfrag(media) ?? throw new FormatException("no a=ice-ufrag"),
            session.GetIcePwd(media) ?? throw new FormatException("no a=ice-pwd"),
            media.CandidateAttributes);
    }

    /// <summary>A BUNDLEd data-channel-only description with our ICE credentials (candidates are trickled separately).</summary>
    public static string Write(string ufrag, string password, SdpSetup setup)
    {
        // Any valid-looking certificate fingerprint: no DTLS is spoken in these tests.
        var fingerprint = SdpFingerprint.FromBytes("sha-256", RandomNumberGenerator.GetBytes(32));
        var transport = new SdpTransportParameters(ufrag, password, [fingerprint], setup);
        return WebRtcSdp.CreateDataChannelOffer(transport, sessionId: 4611731400430051336).ToSdpString();
    }
}
