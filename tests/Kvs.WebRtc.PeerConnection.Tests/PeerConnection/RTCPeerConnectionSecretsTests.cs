using System.Text.RegularExpressions;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Tests.Ice;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// Secrets never reach the logs: a whole connection (ICE, DTLS, SCTP, a data channel) logged at every level on both
/// sides must not contain either side's ICE password, and the public objects' <c>ToString()</c> must not either.
/// </summary>
[TestFixture]
public sealed partial class RTCPeerConnectionSecretsTests
{
    [Test]
    public async Task FullConnectionLoggedAtTrace_ContainsNoIcePassword()
    {
        var ct = PeerPair.Timeout(30);
        using var logsA = new CapturingLoggerFactory();
        using var logsB = new CapturingLoggerFactory();
        await using var pair = new PeerPair(
            new RTCPeerConnectionOptions { LoggerFactory = logsA, Certificate = DtlsCertificate.Generate() },
            new RTCPeerConnectionOptions { LoggerFactory = logsB, Certificate = DtlsCertificate.Generate() });
        var channel = pair.A.CreateDataChannel("secrets");
        await pair.NegotiateAsync(pair.A, ct: ct);
        await PeerPair.WaitOpenAsync(channel, ct);
        channel.Send("hello");

        var passwords = new[] { pair.A.LocalDescription!.Sdp, pair.B.LocalDescription!.Sdp }
            .Select(sdp => IcePwd().Match(sdp).Groups[1].Value)
            .ToList();
        Assert.That(passwords, Has.All.Length.GreaterThanOrEqualTo(22), "each SDP carries an ICE password (RFC 8839: 22+ chars)");

        var lines = logsA.Logger.Lines.Concat(logsB.Logger.Lines).ToList();
        Assert.That(lines, Is.Not.Empty, "the stack logged the connection");
        foreach (var password in passwords)
        {
            Assert.That(lines.Where(l => l.Contains(password, StringComparison.Ordinal)), Is.Empty, "an ICE password appeared in a log line");
            Assert.That(pair.A.LocalDescription!.ToString(), Does.Not.Contain(password));
            Assert.That(pair.A.GetStats().ToString(), Does.Not.Contain(password));
        }
    }

    [GeneratedRegex(@"a=ice-pwd:(\S+)")]
    private static partial Regex IcePwd();
}
