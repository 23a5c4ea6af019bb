using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.Testing.Sctp;

/// <summary>
/// Two <see cref="DataChannelManager"/>s (A the DTLS client) on a <see cref="DatagramTestLink{TCore}"/>. Their clock is
/// the link's; when nothing is scheduled <see cref="DatagramTestLink{TCore}.Pump"/> waits up to a second of real time
/// for work queued by other threads (async send continuations).
/// </summary>
internal sealed class DataChannelTestLink : DatagramTestLink<DataChannelManager>
{
    /// <param name="seed">Seeds the loss draws.</param>
    /// <param name="options">Options of both associations (default: no heartbeats).</param>
    /// <param name="dispatcherB">Where B's user events go (null: run inline).</param>
    public DataChannelTestLink(int seed = 1, SctpAssociationOptions? options = null, Action<Action>? dispatcherB = null)
        : base(TimeSpan.FromSeconds(10), seed, drawEveryImpairment: false)
    {
        options ??= new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        A = new DataChannelManager(new SctpAssociation(options, Now), isDtlsClient: true, () => Now);
        B = new DataChannelManager(new SctpAssociation(options, Now), isDtlsClient: false, () => Now, dispatcher: dispatcherB);
        A.ChannelAnnounced += c => AnnouncedToA.Add(c);
        B.ChannelAnnounced += c => AnnouncedToB.Add(c);
    }

    /// <summary>Channels the peer opened, as announced to A.</summary>
    public List<RTCDataChannel> AnnouncedToA { get; } = [];

    /// <summary>Channels the peer opened, as announced to B.</summary>
    public List<RTCDataChannel> AnnouncedToB { get; } = [];

    /// <inheritdoc />
    protected override TimeSpan DefaultMaxTime => TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    protected override int DefaultMaxSteps => 200_000;

    /// <inheritdoc />
    protected override int IdleWaits => 200;

    /// <summary>Starts both associations.</summary>
    public void Connect()
    {
        A.Connect(Now);
        B.Connect(Now);
    }
}
