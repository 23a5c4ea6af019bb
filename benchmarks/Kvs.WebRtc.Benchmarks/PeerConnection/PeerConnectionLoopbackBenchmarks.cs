using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.PeerConnection;

/// <summary>
/// Ours↔ours over 127.0.0.1: createOffer→data channel open, and one-way transfers of 64 KiB and 1 KiB messages
/// (throughput = bytes / mean time). Run with
/// <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*PeerConnectionLoopback*'</c>.
/// The same figures plus peak working set in one pass: <see cref="PeerConnectionMeasurements"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class PeerConnectionLoopbackBenchmarks
{
    private const int BulkMessages = 200;
    private const int SmallMessages = 10_000;

    private DtlsCertificate _certificateA = null!;
    private DtlsCertificate _certificateB = null!;
    private LoopbackPeers _peers = null!;

    /// <summary>Certificates are generated once (as an application reusing one would).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _certificateA = DtlsCertificate.Generate();
        _certificateB = DtlsCertificate.Generate();
        _peers = LoopbackPeers.ConnectAsync(_certificateA, _certificateB, null, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Closes the connected pair.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _peers.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certificateA.Dispose();
        _certificateB.Dispose();
    }

    /// <summary>createOffer → both ends of an in-band channel open (two fresh peer connections).</summary>
    [Benchmark]
    public async Task CreateOfferToOpen()
    {
        var peers = await LoopbackPeers.ConnectAsync(_certificateA, _certificateB, null, CancellationToken.None).ConfigureAwait(false);
        await peers.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>200 messages of 64 KiB one way (13.1 MB per operation).</summary>
    [Benchmark(OperationsPerInvoke = BulkMessages)]
    public Task Messages64KiB() => _peers.TransferAsync(64 * 1024, BulkMessages, CancellationToken.None);

    /// <summary>10,000 messages of 1 KiB one way.</summary>
    [Benchmark(OperationsPerInvoke = SmallMessages)]
    public Task Messages1KiB() => _peers.TransferAsync(1024, SmallMessages, CancellationToken.None);
}
