using BenchmarkDotNet.Attributes;

namespace Kvs.WebRtc.Benchmarks.Sctp;

/// <summary>
/// SCTP core to SCTP core in memory (no DTLS, no UDP): bulk throughput with 64 KiB messages and message rate with
/// 1 KiB messages on one reliable ordered stream. Per-operation figures are per message.
/// </summary>
[MemoryDiagnoser]
public class SctpThroughputBenchmarks
{
    private const int LargeCount = 256;
    private const int SmallCount = 16384;
    private readonly byte[] _large = new byte[64 * 1024];
    private readonly byte[] _small = new byte[1024];
    private SctpLoopback _loopback = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_large);
        new Random(2).NextBytes(_small);
        _loopback = new SctpLoopback();
    }

    /// <summary>One 64 KiB message end to end (MB/s = 65536 / mean time).</summary>
    [Benchmark(OperationsPerInvoke = LargeCount)]
    public long Messages64KiB() => _loopback.Transfer(_large, LargeCount);

    /// <summary>One 1 KiB message end to end (msg/s = 1 / mean time).</summary>
    [Benchmark(OperationsPerInvoke = SmallCount)]
    public long Messages1KiB() => _loopback.Transfer(_small, SmallCount);
}
