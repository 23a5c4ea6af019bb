using System.Text.RegularExpressions;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>
/// The README's main command must contact nothing off the machine (no public STUN, no DNS). It runs in a fresh network
/// namespace that does have a way out: besides <c>lo</c>, a veth interface with an address and a default route, so an
/// off-machine lookup or packet would really leave instead of failing early. An nftables output rule counts every TCP
/// and UDP packet that leaves through an interface other than <c>lo</c> (and collects IPv4 destinations for the
/// failure message). A control packet to a documentation address, sent before the quick start, proves the rule counts.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class QuickStartOffMachineTests
{
    // $@ = the program and its arguments. Prints "control=<n>" after the control packet and "offMachine=<n>" and
    // "dests=<...>" after the program, then exits with the program's exit code.
    private const string Script = """
        set -u
        ip link set lo up || { echo 'setup=ip link set lo up failed'; exit 90; }
        ip link add wan0 type veth peer name wan1 && ip addr add 198.51.100.2/24 dev wan0 && ip link set wan0 up \
          && ip link set wan1 up && ip route add default via 198.51.100.1 dev wan0 || { echo 'setup=veth and default route failed'; exit 91; }
        nft add table inet kvsoff && nft add chain inet kvsoff out '{ type filter hook output priority 0; }' \
          && nft add set inet kvsoff dests '{ type ipv4_addr; flags dynamic; }' \
          && nft add rule inet kvsoff out oifname != "lo" meta l4proto '{ tcp, udp }' counter \
          && nft add rule inet kvsoff out oifname != "lo" meta l4proto '{ tcp, udp }' update @dests '{ ip daddr }' \
          || { echo 'setup=nftables failed'; exit 92; }
        count() { nft list chain inet kvsoff out | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1; }
        python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'control', ('192.0.2.1', 3478))"
        before=$(count)
        echo "control=$before"
        "$@"
        rc=$?
        after=$(count)
        echo "offMachine=$((after - before))"
        echo "dests=$(nft list set inet kvsoff dests | tr -d '\n' | sed -n 's/.*elements = {\([^}]*\)}.*/\1/p')"
        exit $rc
        """;

    [Test]
    public async Task QuickStart_InANamespaceWithARouteOut_PassesAndSendsNothingOffTheMachine()
    {
        LossyNamespace.Require();
        var python = ExternalTool.Require("python3", "/usr/bin/python3");
        var dll = NetworkLabProgram.Dll(NetworkLabProgram.QuickStart, NetworkLabProgram.QuickStartAssembly);
        var run = await NamespaceProcess.RunAsync(Script, [NetworkLabProgram.Dotnet(), dll], TimeSpan.FromSeconds(90), Path.GetDirectoryName(python));
        var (exitCode, stdout, stderr) = (run.ExitCode, run.Stdout, run.Stderr);
        var transcript = $"exit={exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        await TestContext.Out.WriteLineAsync(stdout);

        Assert.That(Field(stdout, "setup"), Is.Null, transcript);
        Assert.That(Field(stdout, "control"), Is.EqualTo("1"), "the output rule must count the control packet sent through the default route: " + transcript);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "the quick start succeeds in the namespace: " + transcript);
            Assert.That(stdout, Does.Contain("done: a master streamed video and data"), transcript);
            Assert.That(Field(stdout, "offMachine"), Is.EqualTo("0"),
                $"TCP/UDP packets that left through a non-loopback interface (IPv4 destinations: {Field(stdout, "dests")}): {transcript}");
        });
    }

    private static string? Field(string stdout, string name)
    {
        var match = Regex.Match(stdout, "^" + name + "=(.*)$", RegexOptions.Multiline);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }
}
