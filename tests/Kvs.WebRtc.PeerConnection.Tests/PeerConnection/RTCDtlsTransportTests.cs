using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary><see cref="RTCDtlsTransport"/> of two peer connections on 127.0.0.1.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed partial class RTCDtlsTransportTests
{
    [Test]
    public async Task Connected_GivesThePeersCertificateAsDer_AndCloseSetsClosedWithoutAnEvent()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        var sender = pair.A.AddTransceiver(MediaStreamTrackKind.Video).Sender;
        Assert.That(sender.Transport, Is.Null, "no transport before a description");
        await pair.OpenChannelAsync("dtls", null, ct);
        await PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Connected, ct);
        var dtls = pair.A.Sctp!.Transport;

        Assert.That(sender.Transport, Is.SameAs(dtls), "one BUNDLE transport for media and data");
        Assert.That(pair.A.GetTransceivers()[0].Receiver.Transport, Is.SameAs(dtls));
        Assert.That(dtls.State, Is.EqualTo(RTCDtlsTransportState.Connected));
        var certificates = dtls.GetRemoteCertificates();
        Assert.That(certificates, Has.Count.EqualTo(1));
        var fingerprint = string.Join(':', Convert.ToHexString(SHA256.HashData(certificates[0])).Chunk(2).Select(c => new string(c)));
        Assert.That(pair.B.LocalFingerprint, Does.EndWith(fingerprint).IgnoreCase, "the DER is B's certificate");
        certificates[0][0] ^= 0xFF;
        Assert.That(dtls.GetRemoteCertificates()[0], Is.Not.EqualTo(certificates[0]), "callers get copies");

        var events = 0;
        dtls.StateChanged += (_, _) => Interlocked.Increment(ref events);
        pair.A.Close();
        Assert.That(dtls.State, Is.EqualTo(RTCDtlsTransportState.Closed));
        Assert.That(dtls.IceTransport.State, Is.EqualTo(RTCIceConnectionState.Closed));
        Assert.That(pair.A.Sctp.State, Is.EqualTo(RTCSctpTransportState.Closed));
        Assert.That(Volatile.Read(ref events), Is.Zero, "W3C close() fires no state events");
    }

    [Test]
    public async Task FingerprintMismatch_RaisesErrorWithTypedReasonThenFailedBeforeTheConnectionFails()
    {
        var ct = PeerPair.Timeout(30);
        await using var pair = new PeerPair();
        pair.A.AddTransceiver(MediaStreamTrackKind.Video);
        var events = new List<string>();
        RTCDtlsTransportErrorEventArgs? error = null;
        var failed = PeerPair.WaitForStateAsync(pair.A, RTCPeerConnectionState.Failed, ct);
        await pair.NegotiateAsync(
            pair.A,
            answer =>
            {
                var dtls = pair.A.GetTransceivers()[0].Sender.Transport!;
                dtls.Error += (_, e) =>
                {
                    error = e;
                    lock (events)
                    {
                        events.Add("error");
                    }
                };
                dtls.StateChanged += (s, _) =>
                {
                    lock (events)
                    {
                        events.Add("dtls " + ((RTCDtlsTransport)s!).State);
                    }
                };
                pair.A.ConnectionStateChanged += (_, _) =>
                {
                    lock (events)
                    {
                        events.Add("pc " + pair.A.ConnectionState);
                    }
                };

                // Not B's certificate: A must reject it.
                return FingerprintRegex().Replace(answer, "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32)));
            },
            ct);
        await failed;
        await TransportObjectsTestHelpers.PollAsync(() => { lock (events) { return events.Contains("pc Failed"); } }, "failure recorded", ct);

        List<string> seen;
        lock (events)
        {
            seen = [.. events];
        }

        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Error, Is.EqualTo(WebRtcError.FingerprintMismatch));
        Assert.That(error.Exception, Is.SameAs(pair.A.Failure));
        Assert.That(error.Exception.SentAlert, Is.EqualTo(DtlsAlertDescription.BadCertificate), "the alert A sent");
        Assert.That(error.Exception.ReceivedAlert, Is.Null);
        Assert.That(seen.IndexOf("error"), Is.GreaterThanOrEqualTo(0).And.LessThan(seen.IndexOf("dtls Failed")), string.Join(", ", seen));
        Assert.That(seen.IndexOf("dtls Failed"), Is.LessThan(seen.IndexOf("pc Failed")), string.Join(", ", seen));
        Assert.That(pair.A.GetTransceivers()[0].Sender.Transport!.State, Is.EqualTo(RTCDtlsTransportState.Failed));
    }

    [GeneratedRegex("a=fingerprint:sha-256 [0-9A-F:]+")]
    private static partial Regex FingerprintRegex();
}
