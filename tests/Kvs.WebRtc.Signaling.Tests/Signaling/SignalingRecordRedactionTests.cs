using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>An offer's or answer's SDP carries the ICE password: the signaling records must not print it.</summary>
[TestFixture]
public sealed class SignalingRecordRedactionTests
{
    private const string Password = "s3cretIcePasswordValue0123";
    private const string Sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:" + Password + "\r\n";

    [Test]
    public void SessionDescriptionPayload_ToString_ShowsTypeAndLengthButNotTheSdp()
    {
        var text = SessionDescriptionPayload.Offer(Sdp).ToString();

        Assert.That(text, Does.Contain("offer").And.Contain($"<{Sdp.Length} chars>"));
        Assert.That(text, Does.Not.Contain(Password).And.Not.Contain("ice-pwd"));
    }

    [Test]
    public void SignalingMessage_ToString_ShowsTypeAndSenderButNotThePayload()
    {
        var payload = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"offer\",\"sdp\":\"{Sdp}\"}}"));
        var message = new SignalingMessage
        {
            Type = SignalingMessageType.SdpOffer,
            WireMessageType = "SDP_OFFER",
            SenderClientId = "viewer-1",
            Payload = payload,
            SessionDescription = SessionDescriptionPayload.Offer(Sdp),
        };

        var text = message.ToString();

        Assert.That(text, Does.Contain("SdpOffer").And.Contain("viewer-1"));
        Assert.That(text, Does.Not.Contain(Password).And.Not.Contain(payload));
    }
}
