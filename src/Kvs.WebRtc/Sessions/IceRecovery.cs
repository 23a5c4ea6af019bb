using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The rules shared by both session sides for recovering a lost connection with an ICE restart (docs/recovery.md):
/// which offers are renegotiations of a working connection, how long to wait between attempts.
/// </summary>
internal static class IceRecovery
{
    /// <summary>The longest wait between two restart attempts.</summary>
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> (0: none), doubling from one second up to
    /// <see cref="MaxBackOff"/>, with ±20 % jitter so that many devices on one network do not retry in step.
    /// </summary>
    public static TimeSpan BackOff(int attempt)
    {
        if (attempt <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = Math.Min(MaxBackOff.TotalSeconds, Math.Pow(2, Math.Min(attempt - 1, 10)));
        return TimeSpan.FromSeconds(seconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    /// <summary>ICE is usable (connected or completed).</summary>
    public static bool IsUp(RTCPeerConnection connection) =>
        connection.IceConnectionState is RTCIceConnectionState.Connected or RTCIceConnectionState.Completed;

    /// <summary>ICE lost its path (consent lost or every pair failed): a restart is what can bring it back.</summary>
    public static bool IsLost(RTCPeerConnection connection) =>
        connection.IceConnectionState is RTCIceConnectionState.Disconnected or RTCIceConnectionState.Failed;

    /// <summary>
    /// The session id of an SDP's <c>o=</c> line (RFC 8866 §5.2), or null. A peer keeps it for the life of its connection
    /// (JSEP §5.2.2), so an offer with the id of the current remote description renegotiates that connection (an ICE
    /// restart, a track added); a new id is a new connection (the peer restarted).
    /// </summary>
    public static string? SessionIdOf(string? sdp)
    {
        if (sdp is null)
        {
            return null;
        }

        foreach (var line in sdp.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("o="))
            {
                var fields = line[2..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length >= 2 ? fields[1] : null;
            }
        }

        return null;
    }

    /// <summary>Completes with true once ICE is usable, false when <paramref name="limit"/> passes first.</summary>
    public static async Task<bool> WaitUpAsync(RTCPeerConnection connection, TimeSpan limit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler handler = (_, _) =>
        {
            if (IsUp(connection))
            {
                up.TrySetResult();
            }
        };
        connection.IceConnectionStateChanged += handler;
        try
        {
            if (IsUp(connection))
            {
                return true;
            }

            await up.Task.WaitAsync(limit, clock, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            connection.IceConnectionStateChanged -= handler;
        }
    }
}
