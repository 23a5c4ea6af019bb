using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.Benchmarks.Sctp;

/// <summary>
/// Data channel to data channel through two <c>DataChannelManager</c>s (lock, DCEP, PPID mapping, events) over
/// in-memory SCTP, no DTLS: the cost the data channel layer adds on top of <see cref="SctpThroughputBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class DataChannelThroughputBenchmarks
{
    private const int LargeCount = 128;
    private const int SmallCount = 8192;
    private readonly byte[] _large = new byte[64 * 1024];
    private readonly byte[] _small = new byte[1024];
    private readonly byte[] _buffer = new byte[2048];
    private DataChannelManager _a = null!;
    private DataChannelManager _b = null!;
    private RTCDataChannel _channel = null!;
    private TimeSpan _now = TimeSpan.FromSeconds(1);
    private int _received;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SctpAssociationOptions { HeartbeatInterval = Timeout.InfiniteTimeSpan };
        _a = new DataChannelManager(new SctpAssociation(options, _now), isDtlsClient: true, () => _now);
        _b = new DataChannelManager(new SctpAssociation(options, _now), isDtlsClient: false, () => _now);
        _b.ChannelAnnounced += c => c.MessageReceived += (_, _) => _received++;
        _a.Connect(_now);
        _b.Connect(_now);
        _channel = _a.CreateDataChannel("bench");
        Pump(() => _channel.ReadyState == RTCDataChannelState.Open && _b.Channels.Count == 1);
    }

    /// <summary>One 64 KiB binary message end to end.</summary>
    [Benchmark(OperationsPerInvoke = LargeCount)]
    public int Messages64KiB() => Transfer(_large, LargeCount);

    /// <summary>One 1 KiB binary message end to end.</summary>
    [Benchmark(OperationsPerInvoke = SmallCount)]
    public int Messages1KiB() => Transfer(_small, SmallCount);

    private int Transfer(byte[] message, int count)
    {
        _received = 0;
        var sent = 0;
        Pump(() =>
        {
            while (sent < count && _channel.BufferedAmount < 1024 * 1024)
            {
                _channel.Send(message);
                sent++;
            }

            return _received == count;
        });
        return _received;
    }

    private void Pump(Func<bool> done)
    {
        for (var idle = 0; idle < 1000;)
        {
            if (done())
            {
                return;
            }

            var moved = false;
            while (_a.TryPollTransmit(_buffer, _now, out var length))
            {
                _b.HandleInput(_buffer.AsSpan(0, length), _now);
                moved = true;
            }

            while (_b.TryPollTransmit(_buffer, _now, out var length))
            {
                _a.HandleInput(_buffer.AsSpan(0, length), _now);
                moved = true;
            }

            if (!moved)
            {
                idle++;
                _now += TimeSpan.FromMilliseconds(1);
                _a.HandleTimeout(_now);
                _b.HandleTimeout(_now);
            }
        }

        throw new InvalidOperationException("the loopback stalled");
    }
}
