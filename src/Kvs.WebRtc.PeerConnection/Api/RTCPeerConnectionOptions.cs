using System.Diagnostics.Metrics;
using Kvs.WebRtc.PeerConnection.Dtls;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// Host settings of an <see cref="RTCPeerConnection"/> that are not part of the W3C <see cref="RTCConfiguration"/>:
/// the clock, logging and a reusable DTLS certificate.
/// </summary>
/// <remarks>
/// Set the properties, then pass the object to the <see cref="RTCPeerConnection"/> constructor: it validates them (an
/// <see cref="ArgumentException"/> names the property that is out of range) and copies them, so later changes to this
/// instance do not reach a connection already created. Equality is by reference.
/// </remarks>
public sealed class RTCPeerConnectionOptions
{
    /// <summary>The clock for every timer of the connection (ICE, DTLS, SCTP). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Where the connection's instruments live: a meter named <see cref="Diagnostics.KvsWebRtcDiagnostics.MeterName"/>
    /// created by this factory (one per factory, shared by its connections; e.g. the host's, from dependency injection),
    /// or the process-wide meter of that name when null (the default).
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Logging; default none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// The DTLS certificate whose fingerprint goes into the SDP (W3C <c>RTCConfiguration.certificates</c>). When null a
    /// fresh ECDSA P-256 certificate is generated per connection (a few milliseconds); reuse one to save that time.
    /// The connection does not dispose a certificate given here.
    /// </summary>
    public DtlsCertificate? Certificate { get; set; }

    /// <summary>
    /// Test seam: true sends no transport-wide congestion control feedback (the extension is still negotiated), so that
    /// a test can show what a browser's bandwidth estimate does without it. Default false.
    /// </summary>
    internal bool DisableTransportFeedback { get; set; }

    /// <summary>
    /// The minimum interval between RTCP reports (sender and receiver reports with SDES, RFC 3550 §6.2); each interval is
    /// randomized in [0.5, 1.5] × the interval, and the first report comes after half of it. <see cref="TimeSpan.Zero"/>
    /// (the default) means 1 s when video is negotiated and 5 s for audio only, as browsers do;
    /// <see cref="Timeout.InfiniteTimeSpan"/> sends no reports (browsers then show no round-trip time or lip sync).
    /// </summary>
    public TimeSpan RtcpReportInterval { get; set; }

    /// <summary>Loss recovery of video (generic NACK, RTX, packet history use); default on (<see cref="RTCNackOptions"/>).</summary>
    public RTCNackOptions? Nack { get; set; }

    /// <summary>Pacing of video and retransmissions; default on (<see cref="RTCPacingOptions"/>).</summary>
    public RTCPacingOptions? Pacing { get; set; }

    /// <summary>
    /// Test seam: the share of outgoing RTP packets (media and retransmissions, not RTCP) dropped at random after SRTP,
    /// so that a browser test can show loss recovery on loopback. Default 0 (none); seeded by <see cref="OutgoingMediaLossSeed"/>.
    /// </summary>
    internal double OutgoingMediaLossRate { get; set; }

    /// <summary>Test seam: the seed of <see cref="OutgoingMediaLossRate"/>'s random drops.</summary>
    internal int OutgoingMediaLossSeed { get; set; } = 1;

    /// <summary>Test seam: where the ICE transport gets its UDP sockets and host addresses (a virtual network in tests); null for real sockets.</summary>
    internal Ice.IDatagramSocketFactory? SocketFactory { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property that is out of range.</summary>
    internal void Validate()
    {
        if (RtcpReportInterval < TimeSpan.Zero && RtcpReportInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RtcpReportInterval), RtcpReportInterval, "RtcpReportInterval must be zero (default), positive, or Timeout.InfiniteTimeSpan (off).");
        }

        Nack?.Validate();
        Pacing?.Validate();
        if (!(OutgoingMediaLossRate is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(OutgoingMediaLossRate), OutgoingMediaLossRate, "OutgoingMediaLossRate must be in [0, 1].");
        }
    }

    /// <summary>A copy taken at the door (nested options copied too), so later changes to this instance do not reach the connection.</summary>
    internal RTCPeerConnectionOptions Snapshot() => new()
    {
        TimeProvider = TimeProvider,
        MeterFactory = MeterFactory,
        LoggerFactory = LoggerFactory,
        Certificate = Certificate,
        DisableTransportFeedback = DisableTransportFeedback,
        RtcpReportInterval = RtcpReportInterval,
        Nack = Nack?.Snapshot(),
        Pacing = Pacing?.Snapshot(),
        OutgoingMediaLossRate = OutgoingMediaLossRate,
        OutgoingMediaLossSeed = OutgoingMediaLossSeed,
        SocketFactory = SocketFactory,
    };
}
