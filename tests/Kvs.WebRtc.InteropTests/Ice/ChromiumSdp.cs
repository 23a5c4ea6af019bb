using System.Security.Cryptography;
using System.Text;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>
/// Just enough SDP for ICE interop: reads ufrag, pwd and candidates from Chromium's SDP, and writes the minimal
/// data-channel-only description for our side (the SDP library proper lives in Sdp/).
/// </summary>
internal static class ChromiumSdp
{
    public static (string Ufrag, string Password, IReadOnlyList<string> Candidates) Read(string sdp)
    {
        string? ufrag = null, pwd = null;
        var candidates = new List<string>();
        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                ufrag ??= line["a=ice-ufrag:".Length..];
            }
            else if (line.StartsWith("a=ice-pwd:", StringComparison.Ordinal))
            {
                pwd ??= line["a=ice-pwd:".Length..];
            }
            else if (line.StartsWith("a=candidate:", StringComparison.Ordinal))
            {
                candidates.Add(line);
            }
        }

        return (ufrag ?? throw new FormatException("no a=ice-ufrag"), pwd ?? throw new FormatException("no a=ice-pwd"), candidates);
    }

    /// <summary>A BUNDLEd data-channel-only description with our ICE credentials (candidates are trickled separately).</summary>
    public static string Write(string ufrag, string password, string setup)
    {
        // Any valid-looking certificate fingerprint: no DTLS is spoken in these tests.
        var fingerprint = string.Join(':', RandomNumberGenerator.GetBytes(32).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        var sb = new StringBuilder();
        sb.Append("v=0\r\n")
            .Append("o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n")
            .Append("s=-\r\n")
            .Append("t=0 0\r\n")
            .Append("a=group:BUNDLE 0\r\n")
            .Append("a=msid-semantic: WMS\r\n")
            .Append("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
            .Append("c=IN IP4 0.0.0.0\r\n")
            .Append("a=ice-ufrag:").Append(ufrag).Append("\r\n")
            .Append("a=ice-pwd:").Append(password).Append("\r\n")
            .Append("a=ice-options:trickle\r\n")
            .Append("a=fingerprint:sha-256 ").Append(fingerprint).Append("\r\n")
            .Append("a=setup:").Append(setup).Append("\r\n")
            .Append("a=mid:0\r\n")
            .Append("a=sctp-port:5000\r\n")
            .Append("a=max-message-size:262144\r\n");
        return sb.ToString();
    }
}
