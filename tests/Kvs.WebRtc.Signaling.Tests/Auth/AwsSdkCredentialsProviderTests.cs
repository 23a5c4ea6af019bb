using Amazon.Runtime;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

[TestFixture]
public sealed class AwsSdkCredentialsProviderTests
{
    [Test]
    public async Task GetCredentialsAsync_BasicCredentials_ReturnsKeysWithoutToken()
    {
        var credentials = await new AwsSdkCredentialsProvider(new BasicAWSCredentials("AKID", "secret")).GetCredentialsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(credentials.AccessKeyId, Is.EqualTo("AKID"));
            Assert.That(credentials.SecretAccessKey, Is.EqualTo("secret"));
            Assert.That(credentials.SessionToken, Is.Null);
        });
    }

    [Test]
    public async Task GetCredentialsAsync_SessionCredentials_ReturnsToken()
    {
        var credentials = await new AwsSdkCredentialsProvider(new SessionAWSCredentials("ASIA", "secret", "token")).GetCredentialsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(credentials.AccessKeyId, Is.EqualTo("ASIA"));
            Assert.That(credentials.SessionToken, Is.EqualTo("token"));
        });
    }

    [Test]
    public void Constructor_NullCredentials_ThrowsArgumentNullException() =>
        Assert.That(() => new AwsSdkCredentialsProvider(null!), Throws.ArgumentNullException);

    [Test]
    public void GetCredentialsAsync_Cancelled_ThrowsOperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await new AwsSdkCredentialsProvider(new BasicAWSCredentials("AKID", "secret")).GetCredentialsAsync(cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void CreateDefault_DoesNoIoAndDescribesTheDefaultChain() =>
        Assert.That(AwsSdkCredentialsProvider.CreateDefault().ToString(), Does.Contain("default chain"));

    [Test]
    public void ToString_NeverContainsSecretOrToken() =>
        Assert.That(new AwsSdkCredentialsProvider(new SessionAWSCredentials("AKIDEXAMPLE", "TopSecretKey", "TopSecretToken")).ToString(),
            Does.Not.Contain("TopSecretKey").And.Not.Contain("TopSecretToken"));
}
