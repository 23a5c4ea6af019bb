using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests;

/// <summary>The default signaling reconnect policy of a channel: a master (a device) never gives up; a viewer has a limit.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class KvsChannelReconnectTests
{
    [TestCase(true, "of 2147483647")]
    [TestCase(false, "of 10")]
    public async Task DefaultPolicy_MasterReconnectsWithoutLimit_ViewerWithTen(bool master, string expected, CancellationToken cancellationToken)
    {
        await using var emulator = await KvsEmulator.StartAsync(cancellationToken: cancellationToken);
        using var logs = new CapturingLoggerProvider();
        var options = new KvsChannelOptions
        {
            Channel = "reconnect-" + Guid.NewGuid().ToString("N"),
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            UseTurn = false,
            LoggerFactory = logs,
        };
        await using var channel = master
            ? await KvsChannel.ConnectAsMasterAsync(options, cancellationToken)
            : await KvsChannel.ConnectAsViewerAsync(options, "viewer-1", cancellationToken);

        // The first reconnect attempt is immediate and is refused, so the second one waits and logs its number.
        emulator.Faults.RejectNextConnects(1);
        Assert.That(emulator.Faults.DropConnections(), Is.EqualTo(1));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!logs.Entries.Any(e => e.Message.StartsWith("Reconnecting in", StringComparison.Ordinal)))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no reconnect was logged");
            await Task.Delay(20, cancellationToken);
        }

        Assert.That(logs.Entries.First(e => e.Message.StartsWith("Reconnecting in", StringComparison.Ordinal)).Message, Does.Contain(expected));
    }
}
