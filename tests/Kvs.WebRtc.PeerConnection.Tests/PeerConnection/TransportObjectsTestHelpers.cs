using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>Shared steps of the W3C transport object tests.</summary>
internal static partial class TransportObjectsTestHelpers
{
    /// <summary>Polls state other threads set, bounded (not a wait for time to pass).</summary>
    public static async Task PollAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(15))
            {
                Assert.Fail("Not reached within 15 s: " + what);
            }

            await Task.Delay(1, ct);
        }
    }

    /// <summary>The value of the first <c>a=name:</c> line of an SDP.</summary>
    public static string Attribute(string sdp, string name) => AttributeRegex().Matches(sdp).First(m => m.Groups[1].Value == name).Groups[2].Value.Trim();

    [GeneratedRegex("a=([a-z-]+):(\\S+)")]
    private static partial Regex AttributeRegex();
}
