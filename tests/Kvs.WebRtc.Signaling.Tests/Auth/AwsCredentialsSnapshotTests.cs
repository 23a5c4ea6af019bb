using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

[TestFixture]
public sealed class AwsCredentialsSnapshotTests
{
    [Test]
    public void Constructor_EmptySessionToken_NormalisesToNull() =>
        Assert.That(new AwsCredentialsSnapshot("AKID", "secret", string.Empty).SessionToken, Is.Null);

    [Test]
    public void Constructor_AllValues_ArePreserved()
    {
        var expiration = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var snapshot = new AwsCredentialsSnapshot("AKID", "secret", "token", expiration);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.AccessKeyId, Is.EqualTo("AKID"));
            Assert.That(snapshot.SecretAccessKey, Is.EqualTo("secret"));
            Assert.That(snapshot.SessionToken, Is.EqualTo("token"));
            Assert.That(snapshot.Expiration, Is.EqualTo(expiration));
        });
    }

    [TestCase(null, "secret")]
    [TestCase("AKID", null)]
    public void Constructor_NullKey_ThrowsArgumentNullException(string? accessKeyId, string? secret) =>
        Assert.That(() => new AwsCredentialsSnapshot(accessKeyId!, secret!), Throws.ArgumentNullException);

    [TestCase("", "secret")]
    [TestCase("AKID", "")]
    public void Constructor_EmptyKey_ThrowsArgumentException(string accessKeyId, string secret) =>
        Assert.That(() => new AwsCredentialsSnapshot(accessKeyId, secret), Throws.ArgumentException);

    [Test]
    public void ToString_NeverContainsSecretOrToken()
    {
        var text = new AwsCredentialsSnapshot("AKIDEXAMPLE", "TopSecretKey", "TopSecretToken").ToString();

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("AKIDEXAMPLE"));
            Assert.That(text, Does.Not.Contain("TopSecretKey").And.Not.Contain("TopSecretToken"));
        });
    }
}
