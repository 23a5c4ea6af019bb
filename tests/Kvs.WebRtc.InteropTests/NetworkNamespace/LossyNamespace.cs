using System.Globalization;
using System.Text.Json.Nodes;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>
/// Runs a program in a fresh network namespace (<c>unshare -n</c>, only <c>lo</c>) whose kernel drops a share of the
/// packets at random: <c>tc netem loss</c> on <c>lo</c> when the kernel has sch_netem, otherwise an nftables input
/// rule <c>meta l4proto udp numgen random mod 100 &lt; P counter drop</c>. An output-hook drop would hand the sender
/// EPERM, which real loss never does; the input hook drops silently. Prints which one was used and how
/// many packets it dropped as JSON lines around the program's own output.
/// </summary>
internal static class LossyNamespace
{
    // $1 = loss percent, $2 = "start" or "after-connect"; the program and its arguments follow. Loss is applied on the
    // receive side (nftables input hook, or netem on lo), so senders see no error, as on a real lossy path.
    private const string Script = """
        set -u
        p="$1"; when="$2"; shift 2
        ip link set lo up || { echo '{"impairment":"none","reason":"ip link set lo up failed"}'; exit 90; }
        if command -v tc >/dev/null 2>&1 && tc qdisc add dev lo root netem loss 0% 2>/dev/null; then
          kind=netem
          impair="tc qdisc change dev lo root netem loss $p%"
        elif nft add table inet kvslab && nft add chain inet kvslab in '{ type filter hook input priority 0; }'; then
          kind=nftables
          impair="nft add rule inet kvslab in meta l4proto udp numgen random mod 100 '<' $p counter drop"
        else
          echo '{"impairment":"none","reason":"neither netem nor nftables could be set up"}'; exit 91
        fi
        echo "{\"impairment\":\"$kind\",\"lossPercent\":$p,\"when\":\"$when\"}"
        if [ "$when" = start ]; then
          sh -c "$impair" || { echo '{"impairment":"none","reason":"applying the loss failed"}'; exit 92; }
          "$@"
        else
          "$@" --impair-after-connect "$impair"
        fi
        rc=$?
        if [ "$kind" = netem ]; then
          dropped=$(tc -s qdisc show dev lo | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -n 1)
        else
          dropped=$(nft list chain inet kvslab in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1)
        fi
        echo "{\"dropped\":${dropped:-0},\"exitCode\":$rc}"
        exit $rc
        """;

    /// <summary>
    /// Skips outside CI (fails in CI) unless <c>unshare</c>, <c>ip</c> and <c>nft</c> exist and this process is root.
    /// </summary>
    public static void Require()
    {
        ExternalTool.Require("unshare", "/usr/bin/unshare");
        ExternalTool.Require("ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip");
        ExternalTool.Require("nft", "/usr/sbin/nft", "/sbin/nft");
        ExternalTool.RequireCondition(IsRoot(), "root (unshare -n needs CAP_SYS_ADMIN, nft/tc need CAP_NET_ADMIN)");
    }

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> at <paramref name="lossPercent"/>% loss, from the start
    /// or (<paramref name="afterConnect"/>) from when the program runs the command given as its
    /// <c>--impair-after-connect</c> argument; kills it at <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NamespaceRun> RunAsync(int lossPercent, bool afterConnect, string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var result = await NamespaceProcess.RunAsync(Script,
            new[] { lossPercent.ToString(CultureInfo.InvariantCulture), afterConnect ? "after-connect" : "start", program }.Concat(arguments), timeout);
        var lines = result.Lines;
        var objects = new List<JsonObject>();
        foreach (var line in lines)
        {
            if (line.StartsWith('{'))
            {
                try
                {
                    if (JsonNode.Parse(line) is JsonObject obj)
                    {
                        objects.Add(obj);
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not one of ours; kept in the transcript.
                }
            }
        }

        return new NamespaceRun(objects, result.Stdout, result.Stderr, result.TimedOut, result.ExitCode);
    }

    private static bool IsRoot()
    {
        // "Uid:\treal\teffective\tsaved\tfs" in /proc/self/status.
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } && fields[2] == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
