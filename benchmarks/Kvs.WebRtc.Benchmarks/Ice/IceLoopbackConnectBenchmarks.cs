using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.Benchmarks.Ice;

/// <summary>
/// Time from <see cref="IceTransport.StartAsync"/> to a nominated, selected pair on both sides, for two of our
/// transports on 127.0.0.1 with real UDP sockets and trickled candidates (one operation = one full ICE session).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 30)]
public class IceLoopbackConnectBenchmarks : IDisposable
{
    private IceTransport _a = null!;
    private IceTransport _b = null!;
    private TaskCompletionSource _connected = null!;

    [IterationSetup]
    public void Setup()
    {
        IPAddress[] loopback = [IPAddress.Loopback];
        _a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = loopback });
        _b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = loopback });
        _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Wire(_a, _b);
        Wire(_b, _a);
        var selected = 0;
        void OnSelected(IceSelectedPair? pair)
        {
            if (pair is not null && Interlocked.Increment(ref selected) == 2)
            {
                _connected.TrySetResult();
            }
        }

        _a.SelectedPairChanged += OnSelected;
        _b.SelectedPairChanged += OnSelected;
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _a?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _b?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    /// <summary>Start both, exchange credentials, wait until both have selected a nominated pair.</summary>
    [Benchmark]
    public async Task StartToNominatedPair()
    {
        await _a.StartAsync().ConfigureAwait(false);
        await _b.StartAsync().ConfigureAwait(false);
        _a.SetRemoteCredentials(_b.LocalCredentials);
        _b.SetRemoteCredentials(_a.LocalCredentials);
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private static void Wire(IceTransport from, IceTransport to) =>
        from.CandidateGathered += c =>
        {
            if (c is null)
            {
                to.SetRemoteEndOfCandidates();
            }
            else
            {
                to.AddRemoteCandidate(c);
            }
        };
}
