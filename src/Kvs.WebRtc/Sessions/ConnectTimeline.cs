namespace Kvs.WebRtc.Sessions;

/// <summary>
/// The milestones of a <see cref="ViewerSession"/>'s connect, each measured from the moment
/// <see cref="ViewerSession.ConnectAsync"/> was called on the channel's monotonic clock
/// (<see cref="KvsChannelOptions.TimeProvider"/>); null until reached. A connect passes them in this order: time to first
/// frame is <see cref="FirstKeyFrame"/>.
/// </summary>
/// <param name="StartedAt">Wall-clock time when <see cref="ViewerSession.ConnectAsync"/> was called.</param>
/// <param name="SignalingConnected">The signaling WebSocket is connected (the control-plane calls before it included).</param>
/// <param name="OfferSent">The offer was handed to signaling.</param>
/// <param name="AnswerReceived">The master's answer arrived.</param>
/// <param name="IceConnected">The ICE transport reached connected (a candidate pair works); at the latest when DTLS
/// connected, which needs a working pair even before the pair is nominated.</param>
/// <param name="DtlsConnected">The DTLS transport reached connected (SRTP keys exist).</param>
/// <param name="FirstRtpPacket">The first RTP packet of the media track arrived (the video track; the audio track when the
/// master sends no video).</param>
/// <param name="FirstKeyFrame">The first complete key frame of that track was readable (for audio: its first frame).</param>
public sealed record ConnectTimeline(
    DateTimeOffset StartedAt,
    TimeSpan? SignalingConnected,
    TimeSpan? OfferSent,
    TimeSpan? AnswerReceived,
    TimeSpan? IceConnected,
    TimeSpan? DtlsConnected,
    TimeSpan? FirstRtpPacket,
    TimeSpan? FirstKeyFrame)
{
    /// <summary>A short line such as <c>signaling 9 ms, offer 12 ms, answer 20 ms, ICE 31 ms, DTLS 40 ms, first RTP 45 ms, first key frame 52 ms</c> ("-" when not reached).</summary>
    public override string ToString() =>
        $"signaling {Ms(SignalingConnected)}, offer {Ms(OfferSent)}, answer {Ms(AnswerReceived)}, ICE {Ms(IceConnected)}, DTLS {Ms(DtlsConnected)}, " +
        $"first RTP {Ms(FirstRtpPacket)}, first key frame {Ms(FirstKeyFrame)}";

    private static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms" : "-";
}
