using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests;

/// <summary>Which ICE servers a channel hands to its peer connections: nothing public against a local emulator, the region's KVS STUN server against AWS or when asked for.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class KvsChannelIceServerTests
{
    [TestCase(null, 0)]
    [TestCase(false, 0)]
    [TestCase(true, 1)]
    public async Task OverriddenServiceUrl_KvsStunOnlyWhenAskedFor(bool? useKvsStun, int expectedKvsStun, CancellationToken cancellationToken)
    {
        await using var emulator = await KvsEmulator.StartAsync(cancellationToken: cancellationToken);
        await using var channel = await KvsChannel.OpenMasterAsync(new KvsChannelOptions
        {
            Channel = "ice-" + Guid.NewGuid().ToString("N"),
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            UseTurn = false,
            UseKvsStun = useKvsStun,
        }, cancellationToken);

        var servers = await channel.IceServers.GetIceServersAsync(cancellationToken);

        var kvsStun = servers.SelectMany(s => s.Urls).Count(u => u.Contains("stun.kinesisvideo.", StringComparison.Ordinal));
        Assert.That(kvsStun, Is.EqualTo(expectedKvsStun));
        Assert.That(servers.SelectMany(s => s.Urls).All(u => u.Contains("127.0.0.1", StringComparison.Ordinal) || expectedKvsStun > 0), Is.True,
            "against the emulator nothing but loopback servers unless the KVS STUN server was asked for");
    }
}
