using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>
/// Network change (docs/recovery.md): in a fresh network namespace, the master's host candidate sits on 10.77.0.1 (on
/// <c>lo</c>) and the viewer gathers on a veth interface with 10.77.0.2/24, as a camera on Wi-Fi; signaling goes through
/// the emulator on 127.0.0.1. Once video and data-channel echoes flow, the viewer's address is deleted and 10.77.0.3/24
/// added (a DHCP renew, Wi-Fi to LTE): the kernel refuses sends from the old address, consent is lost, the viewer
/// session restarts ICE over signaling on its own, gathers the new address, and video and echoes flow again on the same
/// master connection within a bounded time.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class AddressMoveRecoveryTests
{
    private const string Script = """
        set -u
        ip link set lo up && ip addr add 10.77.0.1/32 dev lo \
          && ip link add wlan0 type veth peer name wlan0p && ip link set wlan0p up && ip link set wlan0 up \
          && ip addr add 10.77.0.2/24 dev wlan0 || { echo 'setup=failed'; exit 90; }
        "$@" --master-address 10.77.0.1 --new-address 10.77.0.3 --recover-seconds 45 \
          --impair 'ip addr del 10.77.0.2/24 dev wlan0 && ip addr add 10.77.0.3/24 dev wlan0'
        """;

    [Test]
    public async Task ViewerAddressMoves_SessionRestartsIceAndStreamAndDataFlowAgain()
    {
        LossyNamespace.Require();
        var dll = NetworkLabProgram.Dll(NetworkLabProgram.RecoveryLab);
        var run = await NamespaceProcess.RunAsync(Script, [NetworkLabProgram.Dotnet(), dll], TimeSpan.FromSeconds(150));
        var transcript = $"exit={run.ExitCode} timedOut={run.TimedOut}\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}";
        await TestContext.Out.WriteLineAsync(run.Stdout);
        var result = run.Lines.Where(l => l.StartsWith("{\"phase\":\"result\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!.AsObject()).FirstOrDefault();

        Assert.That(run.Stdout, Does.Not.Contain("setup=failed"), transcript);
        Assert.That(run.Stdout, Does.Contain("\"phase\":\"flowing\"").And.Contain("\"phase\":\"impaired\""), transcript);
        Assert.That(result, Is.Not.Null, "the lab reports a result: " + transcript);
        var extra = result!["extra"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(extra["recovered"]!.GetValue<bool>(), Is.True, "frames and echoes flow again on the new address: " + transcript);
            Assert.That(result["pair"]!.GetValue<string>(), Does.StartWith("10.77.0.3:"), transcript);
            Assert.That(extra["joined"]!.GetValue<int>(), Is.EqualTo(1), "the master kept the viewer (same connection): " + transcript);
            Assert.That(run.ExitCode, Is.Zero, transcript);
        });
    }
}
