using System.Security.Cryptography;
using Kvs.WebRtc.Signaling.IceServers;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests;

[TestFixture]
public sealed class CoreKvsEmulatorOptionsTests
{
    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new KvsEmulatorOptions { Port = 70000 }).SetName("Validate_PortAbove65535_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { Region = "Not a region" }).SetName("Validate_BadRegion_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { AccountId = "12345" }).SetName("Validate_ShortAccountId_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { EndpointHostName = "bad host" }).SetName("Validate_BadEndpointHost_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { MaxViewersPerChannel = 0 }).SetName("Validate_ZeroViewers_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { MaxFrameSize = 10 }).SetName("Validate_TinyFrameSize_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { IceServerTtl = TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1) }).SetName("Validate_IceTtlBelow30Seconds_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { IdleTimeout = TimeSpan.Zero }).SetName("Validate_ZeroIdleTimeout_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { SupersededConnectionGracePeriod = TimeSpan.FromSeconds(-1) }).SetName("Validate_NegativeGrace_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { TurnSharedSecret = "s" }).SetName("Validate_TurnSecretWithoutUris_Throws");
        yield return new TestCaseData(new KvsEmulatorOptions { TurnCredentialHashAlgorithm = HashAlgorithmName.MD5 }).SetName("Validate_Md5TurnHmac_Throws");
        var withUrisOnly = new KvsEmulatorOptions();
        withUrisOnly.TurnUris.Add("turn:127.0.0.1:3478");
        yield return new TestCaseData(withUrisOnly).SetName("Validate_TurnUrisWithoutSecret_Throws");
        var sixServers = new KvsEmulatorOptions();
        for (var i = 0; i < 6; i++)
        {
            sixServers.IceServers.Add(new IceServer(["stun:127.0.0.1:3478"]));
        }

        yield return new TestCaseData(sixServers).SetName("Validate_SixIceServers_Throws");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Validate_InvalidSetting_ThrowsArgumentException(KvsEmulatorOptions options) =>
        Assert.That(() => options.Validate(), Throws.InstanceOf<ArgumentException>());

    [Test]
    public void Validate_Defaults_DoNotThrow() =>
        Assert.That(() => new KvsEmulatorOptions().Validate(), Throws.Nothing);

    [Test]
    public void StartAsync_InvalidOptions_ThrowsBeforeListening() =>
        Assert.ThrowsAsync<ArgumentException>(() => KvsEmulator.StartAsync(new KvsEmulatorOptions { AccountId = "x" }));

    [Test]
    public async Task StartAsync_OptionsChangedAfterStart_RunningEmulatorKeepsItsCopy()
    {
        var options = new KvsEmulatorOptions { Region = "eu-central-1" };
        await using var emulator = await KvsEmulator.StartAsync(options);

        options.Region = "ap-south-1";
        options.Credentials.Add(new Kvs.WebRtc.Signaling.Auth.AwsCredentialsSnapshot("AKIDLATE", "late"));

        Assert.That(emulator.Region, Is.EqualTo("eu-central-1"));
        Assert.That(emulator.CreateSignalingChannel("copy"), Does.StartWith("arn:aws:kinesisvideo:eu-central-1:"));
    }
}
