using Kvs.WebRtc.Emulator.Http;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Http;

[TestFixture]
public sealed class CoreRawQueryStringTests
{
    [Test]
    public void Parse_EncodedArn_DecodesExactlyOnce()
    {
        var query = RawQueryString.Parse("?X-Amz-ChannelARN=arn%3Aaws%3Akinesisvideo%3Aus-west-2%3A1%3Achannel%2Fa%2F1&double=%252F")!;

        Assert.Multiple(() =>
        {
            Assert.That(RawQueryString.Get(query, "X-Amz-ChannelARN"), Is.EqualTo("arn:aws:kinesisvideo:us-west-2:1:channel/a/1"));
            Assert.That(RawQueryString.Get(query, "double"), Is.EqualTo("%2F"), "a double-encoded value stays encoded once");
        });
    }

    [Test]
    public void Parse_PlusSign_StaysALiteralPlus()
    {
        var query = RawQueryString.Parse("token=a+b%2Bc")!;

        Assert.That(RawQueryString.Get(query, "token"), Is.EqualTo("a+b+c"));
    }

    [Test]
    public void Parse_NameWithoutValueAndEmptyParts_YieldsEmptyValueAndSkipsEmptyParts()
    {
        var query = RawQueryString.Parse("a&&b=")!;

        Assert.That(query, Is.EqualTo(new[] { new KeyValuePair<string, string>("a", string.Empty), new KeyValuePair<string, string>("b", string.Empty) }));
    }

    [TestCase("a=%2")]
    [TestCase("a=%zz")]
    [TestCase("a=%C3%28")]
    public void Parse_MalformedEscapeOrInvalidUtf8_ReturnsNull(string raw) =>
        Assert.That(RawQueryString.Parse(raw), Is.Null);

    [Test]
    public void Parse_Utf8Escapes_DecodeToUnicode() =>
        Assert.That(RawQueryString.Get(RawQueryString.Parse("name=%C3%A9t%C3%A9")!, "name"), Is.EqualTo("été"));

    [Test]
    public void Count_RepeatedName_CountsEachOccurrence() =>
        Assert.That(RawQueryString.Count(RawQueryString.Parse("x=1&x=2&y=3")!, "x"), Is.EqualTo(2));
}
