using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtcp;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// Malformed RTCP from the peer: a compound datagram whose packet lengths do not add up (or with a bad version) is
/// dropped whole, counted, and logged at most once per <see cref="MalformedRtcpLogInterval"/> with the count since the
/// last message, so a flood costs neither CPU in the handlers nor log volume.
/// </summary>
public sealed partial class RTCPeerConnection
{
    /// <summary>The least time between two log messages about malformed RTCP.</summary>
    internal static readonly TimeSpan MalformedRtcpLogInterval = TimeSpan.FromSeconds(10);

    private long _rtcpMalformedLoggedAt = long.MinValue;
    private long _rtcpMalformedLogged;

    /// <summary>Decrypted RTCP datagrams dropped as malformed, for tests and diagnostics.</summary>
    internal long RtcpPacketsMalformed => Interlocked.Read(ref _rtcpMalformed);

    // RFC 3550 A.2: every packet of the compound has version 2 and a length that fits, and the lengths add up to the datagram.
    private static bool IsWellFormedRtcp(ReadOnlySpan<byte> datagram)
    {
        var reader = new RtcpCompoundReader(datagram);
        while (reader.TryReadNext(out _, out _))
        {
        }

        return !reader.IsMalformed;
    }

    private void OnMalformedRtcp()
    {
        var total = Interlocked.Increment(ref _rtcpMalformed);
        var now = _timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _rtcpMalformedLoggedAt);
        if (last != long.MinValue && _timeProvider.GetElapsedTime(last, now) < MalformedRtcpLogInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _rtcpMalformedLoggedAt, now, last) != last)
        {
            return;
        }

        var before = Interlocked.Exchange(ref _rtcpMalformedLogged, total);
        MediaLog.RtcpMalformed(_logger, total - before, total);
    }
}
