using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.PeerConnection.Tests.DataChannels;

/// <summary>Two <see cref="DataChannelManager"/>s over in-memory associations, a manual clock and seeded loss.</summary>
internal sealed class DataChannelTestLink
{
    private readonly Random _random;
    private readonly List<(TimeSpan At, long Order, bool ToB, byte[] Packet)> _wire = [];
    private readonly byte[] _buffer = new byte[2048];
    private readonly object _gate = new();
    private long _order;
    private long _nowTicks = TimeSpan.FromSeconds(10).Ticks;

    /// <param name="seed">Seeds the loss draws.</param>
    /// <param name="options">Options of both associations.</param>
    /// <param name="dispatcherB">Where B's user events go (null: run inline).</param>
    public DataChannelTestLink(int seed = 1, SctpAssociationOptions? options = null, Action<Action>? dispatcherB = null)
    {
        _random = new Random(seed);
        options ??= new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        A = new DataChannelManager(new SctpAssociation(options, Now), isDtlsClient: true, () => Now);
        B = new DataChannelManager(new SctpAssociation(options, Now), isDtlsClient: false, () => Now, dispatcher: dispatcherB);
        A.ChannelAnnounced += c => AnnouncedToA.Add(c);
        B.ChannelAnnounced += c => AnnouncedToB.Add(c);
    }

    public DataChannelManager A { get; }

    public DataChannelManager B { get; }

    public TimeSpan Now => new(Interlocked.Read(ref _nowTicks));

    public double LossRate { get; set; }

    public List<RTCDataChannel> AnnouncedToA { get; } = [];

    public List<RTCDataChannel> AnnouncedToB { get; } = [];

    public void Connect()
    {
        A.Connect(Now);
        B.Connect(Now);
    }

    public bool Pump(Func<bool> until, TimeSpan? maxTime = null, int maxSteps = 200_000)
    {
        var deadline = Now + (maxTime ?? TimeSpan.FromMinutes(10));
        var idle = 0;
        for (var step = 0; step < maxSteps; step++)
        {
            lock (_gate)
            {
                Drain(A, true);
                Drain(B, false);
            }

            if (until())
            {
                return true;
            }

            TimeSpan? next = null;
            foreach (var w in _wire)
            {
                if (next is null || w.At < next)
                {
                    next = w.At;
                }
            }

            foreach (var t in new[] { A.NextTimeout, B.NextTimeout })
            {
                if (t is { } v && (next is null || v < next))
                {
                    next = v;
                }
            }

            if (next is null)
            {
                // Nothing scheduled: another thread (SendAsync continuations) may still queue work; wait a little.
                if (++idle > 200)
                {
                    return until();
                }

                Thread.Sleep(5);
                continue;
            }

            if (next > deadline)
            {
                return until();
            }

            if (next > Now)
            {
                Interlocked.Exchange(ref _nowTicks, next.Value.Ticks);
            }

            var due = _wire.Where(w => w.At <= Now).OrderBy(w => w.At).ThenBy(w => w.Order).ToList();
            _wire.RemoveAll(w => w.At <= Now);
            foreach (var (_, _, toB, packet) in due)
            {
                (toB ? B : A).HandlePacket(packet, Now);
            }

            if (A.NextTimeout <= Now)
            {
                A.HandleTimeout(Now);
            }

            if (B.NextTimeout <= Now)
            {
                B.HandleTimeout(Now);
            }
        }

        return until();
    }

    private void Drain(DataChannelManager from, bool fromA)
    {
        while (from.TryPollTransmit(_buffer, Now, out var length))
        {
            if (_random.NextDouble() < LossRate)
            {
                continue;
            }

            _wire.Add((Now + TimeSpan.FromMilliseconds(5), _order++, fromA, _buffer.AsSpan(0, length).ToArray()));
        }
    }
}
