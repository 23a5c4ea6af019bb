using System.Text.RegularExpressions;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.ControlPlane;

[TestFixture]
public sealed class CoreChannelStoreTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeMilliseconds(1_712_136_149_494);

    [Test]
    public void Create_NewChannel_MintsArnVersionIdAndCreationTimeThatAgree()
    {
        var store = new ChannelStore("eu-west-1", "123456789012", 10);

        var channel = store.Create("demo", 60, [], s_now);

        Assert.Multiple(() =>
        {
            Assert.That(channel.Arn, Is.EqualTo("arn:aws:kinesisvideo:eu-west-1:123456789012:channel/demo/1712136149494"));
            Assert.That(channel.CreationTime, Is.EqualTo(s_now));
            Assert.That(channel.Version, Does.Match("^[a-zA-Z0-9]{20}$"));
            Assert.That(channel.ChannelId, Does.Match("^[0-9a-f]{8}$"));
        });
    }

    [Test]
    public void Create_SameNameAfterDeleteInSameMillisecond_GetsADifferentArn()
    {
        var store = new ChannelStore("us-west-2", "123456789012", 10);
        var first = store.Create("demo", 60, [], s_now);
        store.Delete(first.Arn, null);

        var second = store.Create("demo", 60, [], s_now);

        Assert.Multiple(() =>
        {
            Assert.That(second.Arn, Is.Not.EqualTo(first.Arn));
            Assert.That(Regex.IsMatch(second.Arn, "/[0-9]{13}$"), Is.True);
            Assert.That(store.FindByArn(first.Arn), Is.Null);
        });
    }

    [Test]
    public void Create_ClockBeforeYear2001_StillMintsA13DigitCode()
    {
        var store = new ChannelStore("us-west-2", "123456789012", 10);

        var channel = store.Create("old", 60, [], DateTimeOffset.UnixEpoch);

        Assert.That(channel.Arn, Does.Match("/[0-9]{13}$"));
    }

    [Test]
    public void Create_AccountFull_ThrowsAccountChannelLimitExceeded()
    {
        var store = new ChannelStore("us-west-2", "123456789012", 1);
        store.Create("one", 60, [], s_now);

        var error = Assert.Throws<AwsServiceError>(() => store.Create("two", 60, [], s_now));

        Assert.That(error!.ErrorType, Is.EqualTo("AccountChannelLimitExceededException"));
    }

    [Test]
    public void Update_CurrentVersion_IssuesANewVersion()
    {
        var store = new ChannelStore("us-west-2", "123456789012", 10);
        var channel = store.Create("demo", 60, [], s_now);
        var before = channel.Version;

        store.Update(channel.Arn, before, 30);

        Assert.Multiple(() =>
        {
            Assert.That(channel.Version, Is.Not.EqualTo(before));
            Assert.That(channel.MessageTtlSeconds, Is.EqualTo(30));
        });
    }

    [Test]
    public void List_PagesWithPrefix_ReturnsNameOrderedPagesAndTheLastNameOnlyWhenMoreRemain()
    {
        var store = new ChannelStore("us-west-2", "123456789012", 10);
        foreach (var name in new[] { "b-2", "a-1", "b-1", "b-3" })
        {
            store.Create(name, 60, [], s_now);
        }

        var (page1, last1) = store.List(2, null, "b-");
        var (page2, last2) = store.List(2, last1, "b-");

        Assert.Multiple(() =>
        {
            Assert.That(page1.Select(c => c.Name), Is.EqualTo(new[] { "b-1", "b-2" }));
            Assert.That(last1, Is.EqualTo("b-2"));
            Assert.That(page2.Select(c => c.Name), Is.EqualTo(new[] { "b-3" }));
            Assert.That(last2, Is.Null);
        });
    }

    [Test]
    public void DecodeToken_IssuedToken_RoundTripsAndMatchesTheModelPattern()
    {
        var token = ChannelStore.EncodeToken("my.channel_1");

        Assert.Multiple(() =>
        {
            Assert.That(token, Does.Match("^[a-zA-Z0-9+/=]*$"));
            Assert.That(ChannelStore.DecodeToken(token), Is.EqualTo("my.channel_1"));
        });
    }

    [TestCase("not base64!")]
    [TestCase("Lw==")]
    public void DecodeToken_ForeignToken_ThrowsInvalidArgument(string token) =>
        Assert.That(Assert.Throws<AwsServiceError>(() => ChannelStore.DecodeToken(token))!.ErrorType, Is.EqualTo("InvalidArgumentException"));
}
