using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane.Internal;

[TestFixture]
public sealed class ServiceErrorParserTests
{
    [Test]
    public void TryReadServerTime_SignatureExpiredMessage_ReturnsServerNow()
    {
        var time = ServiceErrorParser.TryReadServerTime(
            "Signature expired: 20231107T044734Z is now earlier than 20231107T045305Z (20231107T045805Z - 5 min.)");

        Assert.That(time, Is.EqualTo(new DateTimeOffset(2023, 11, 7, 4, 58, 5, TimeSpan.Zero)));
    }

    [TestCase("X-Amz-Signature=abcdef0123456789")]
    [TestCase("SecretAccessKey: wJalrXUtnFEMI/K7MDENG")]
    [TestCase("Password=nhgUYYY0TKW5knkHAU92JI9whmOO058q")]
    public void Sanitise_CredentialLikeValue_IsRedacted(string text)
    {
        var result = ServiceErrorParser.Sanitise("before " + text + " after", 512);

        Assert.That(result, Does.Contain("<redacted>"));
        Assert.That(result, Does.Not.Contain(text.Split('=', ':')[1].Trim()));
    }

    [Test]
    public void Parse_JsonMessageWithInvalidUtf8_IsTextNotAnException()
    {
        // Found by the controlplane-error fuzz target: a well-formed JSON object whose string member holds bytes that
        // are not UTF-8 made JsonElement.GetString throw InvalidOperationException out of the parser.
        byte[] body = [.. "{\"__type\":\"ThrottlingException\",\"message\":\"bad "u8, 0xA7, 0xFF, .. "\"}"u8];

        var error = ServiceErrorParser.Parse("AccessDeniedException", body);

        Assert.That(error.BodyIsJson, Is.False);
        Assert.That(error.Code, Is.EqualTo("AccessDeniedException"), "the header's code stands; nothing is taken from the broken body");
        Assert.That(error.Message, Is.Null);
        Assert.That(error.RawText, Does.StartWith("{\"__type\""));
    }

    [Test]
    public void Parse_JsonTypeWithInvalidUtf8AndNoHeader_HasNoCode()
    {
        byte[] body = [.. "{\"__type\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var error = ServiceErrorParser.Parse(null, body);

        Assert.That(error.Code, Is.Null);
        Assert.That(error.BodyIsJson, Is.False);
        Assert.That(error.RawText, Is.Not.Null);
    }

    [Test]
    public void Sanitise_LongText_IsTruncated()
    {
        Assert.That(ServiceErrorParser.Sanitise(new string('a', 1000), 100).Length, Is.LessThanOrEqualTo(101));
    }
}
