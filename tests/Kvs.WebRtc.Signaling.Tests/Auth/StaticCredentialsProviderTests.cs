using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

[TestFixture]
public sealed class StaticCredentialsProviderTests
{
    [Test]
    public async Task GetCredentialsAsync_FromKeys_ReturnsThem()
    {
        var credentials = await new StaticCredentialsProvider("AKID", "secret", "token").GetCredentialsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(credentials.AccessKeyId, Is.EqualTo("AKID"));
            Assert.That(credentials.SecretAccessKey, Is.EqualTo("secret"));
            Assert.That(credentials.SessionToken, Is.EqualTo("token"));
        });
    }

    [Test]
    public async Task GetCredentialsAsync_FromSnapshot_ReturnsSameInstance()
    {
        var snapshot = new AwsCredentialsSnapshot("AKID", "secret");

        Assert.That(await new StaticCredentialsProvider(snapshot).GetCredentialsAsync(), Is.SameAs(snapshot));
    }

    [Test]
    public void GetCredentialsAsync_Cancelled_ThrowsOperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await new StaticCredentialsProvider("AKID", "secret").GetCredentialsAsync(cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Constructor_NullSnapshot_ThrowsArgumentNullException() =>
        Assert.That(() => new StaticCredentialsProvider(null!), Throws.ArgumentNullException);

    [Test]
    public void ToString_NeverContainsSecretOrToken() =>
        Assert.That(new StaticCredentialsProvider("AKIDEXAMPLE", "TopSecretKey", "TopSecretToken").ToString(),
            Does.Contain("AKIDEXAMPLE").And.Not.Contain("TopSecretKey").And.Not.Contain("TopSecretToken"));
}
