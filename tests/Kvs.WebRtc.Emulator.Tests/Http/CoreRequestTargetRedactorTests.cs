using Kvs.WebRtc.Emulator.Http;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Http;

[TestFixture]
public sealed class CoreRequestTargetRedactorTests
{
    [Test]
    public void Redact_SignatureAndToken_AreMaskedAndEverythingElseIsKeptByteForByte()
    {
        const string target = "/v/abc?X-Amz-ChannelARN=arn%3Aaws%252F&X-Amz-Security-Token=tok%2Bsecret&X-Amz-Signature=deadbeef&X-Amz-ClientId=v1";

        var redacted = RequestTargetRedactor.Redact(target);

        Assert.That(redacted, Is.EqualTo("/v/abc?X-Amz-ChannelARN=arn%3Aaws%252F&X-Amz-Security-Token=***&X-Amz-Signature=***&X-Amz-ClientId=v1"));
    }

    [Test]
    public void Redact_LowerCaseOrEncodedParameterNames_AreStillMasked()
    {
        var redacted = RequestTargetRedactor.Redact("/?x-amz-signature=abc&X%2DAmz%2DSecurity%2DToken=tok");

        Assert.Multiple(() =>
        {
            Assert.That(redacted, Does.Not.Contain("abc"));
            Assert.That(redacted, Does.Not.Contain("tok"));
        });
    }

    [Test]
    public void Redact_NoQuery_ReturnsTargetUnchanged() =>
        Assert.That(RequestTargetRedactor.Redact("/m/abc"), Is.EqualTo("/m/abc"));
}
