using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Viewer → master ICE_CANDIDATE messages per second through the in-process <see cref="KvsEmulator"/> on 127.0.0.1
/// with two <see cref="SignalingClient"/>s (pipelined sends, signature verification on). Each invocation sends
/// <see cref="MessagesPerInvoke"/> messages and waits until the master has received all of them, so the reported time
/// per operation is the time per relayed message (msgs/s = 1 s / Mean).
/// The relay latency (viewer send call → master subscriber) p50/p99, the overall message rate and the process CPU
/// share (client AND emulator: both run in this process) are printed at the end of the run as
/// <c>SignalingThroughput:</c> lines.
/// Run: <c>dotnet run -c Release --project benchmarks/Kvs.WebRtc.Benchmarks -- --filter '*SignalingThroughput*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class SignalingThroughputBenchmarks
{
    /// <summary>Messages sent per benchmark invocation.</summary>
    public const int MessagesPerInvoke = 2_000;

    private const int MaxLatencySamples = 8 * 1024 * 1024;
    private const string CandidateTail = " 1 udp 2122260223 127.0.0.1 50000 typ host";

    private readonly long[] _latencyTicks = new long[MaxLatencySamples];
    private KvsEmulator _emulator = null!;
    private SignalingClient _master = null!;
    private SignalingClient _viewer = null!;
    private IDisposable? _subscription;
    private TaskCompletionSource _allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _label = string.Empty;
    private int _expected;
    private int _receivedThisInvoke;
    private int _samples;
    private long _totalReceived;
    private long _startTimestamp;
    private TimeSpan _startCpu;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    /// <summary>Throughput: <see cref="MessagesPerInvoke"/> pipelined sends; latency includes queueing behind the burst.</summary>
    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public async Task ViewerToMaster()
    {
        Begin("pipelined", MessagesPerInvoke);
        var sends = new Task[MessagesPerInvoke];
        for (var i = 0; i < sends.Length; i++)
        {
            var candidate = "candidate:" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + CandidateTail;
            sends[i] = _viewer.SendIceCandidateAsync(new IceCandidatePayload(candidate, "0", 0));
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        await _allReceived.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    /// <summary>Relay latency: one message at a time (send, wait until the master's subscriber has it).</summary>
    [Benchmark]
    public async Task ViewerToMasterOneAtATime()
    {
        Begin("one-at-a-time", 1);
        var candidate = "candidate:" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + CandidateTail;
        await _viewer.SendIceCandidateAsync(new IceCandidatePayload(candidate, "0", 0)).ConfigureAwait(false);
        await _allReceived.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    private void Begin(string label, int expected)
    {
        _label = label;
        _expected = expected;
        _receivedThisInvoke = 0;
        _allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task SetupAsync()
    {
        _emulator = await KvsEmulator.StartAsync().ConfigureAwait(false);
        var channelArn = _emulator.CreateSignalingChannel("throughput");
        SignalingClientOptions Options(KvsEmulatorRole role) => new()
        {
            ChannelArn = channelArn,
            Endpoint = _emulator.GetSignalingEndpoint(channelArn, role),
            Region = _emulator.Region,
            Credentials = new StaticCredentialsProvider(_emulator.Credentials),
        };

        _master = await SignalingClient.ConnectAsMasterAsync(Options(KvsEmulatorRole.Master)).ConfigureAwait(false);
        _viewer = await SignalingClient.ConnectAsViewerAsync(Options(KvsEmulatorRole.Viewer), "bench-viewer").ConfigureAwait(false);
        _subscription = _master.IceCandidates.Subscribe(OnCandidate);
        _startTimestamp = Stopwatch.GetTimestamp();
        _startCpu = Process.GetCurrentProcess().TotalProcessorTime;
    }

    private void OnCandidate(SignalingMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        var text = message.IceCandidate!.Candidate.AsSpan("candidate:".Length);
        var end = text.IndexOf(' ');
        if (end > 0 && long.TryParse(text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
        {
            var slot = Interlocked.Increment(ref _samples) - 1;
            if (slot < _latencyTicks.Length)
            {
                _latencyTicks[slot] = now - sent;
            }
        }

        Interlocked.Increment(ref _totalReceived);
        if (Interlocked.Increment(ref _receivedThisInvoke) == _expected)
        {
            _allReceived.TrySetResult();
        }
    }

    private async Task CleanupAsync()
    {
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _startCpu;
        _subscription?.Dispose();
        await _viewer.DisposeAsync().ConfigureAwait(false);
        await _master.DisposeAsync().ConfigureAwait(false);
        await _emulator.DisposeAsync().ConfigureAwait(false);

        var count = Math.Min(_samples, _latencyTicks.Length);
        if (count == 0)
        {
            return;
        }

        var samples = _latencyTicks.AsSpan(0, count);
        samples.Sort();
        static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var p50 = Ms(samples[(int)(count * 0.50)]);
        var p99 = Ms(samples[Math.Min(count - 1, (int)(count * 0.99))]);
        var rate = _totalReceived / elapsed.TotalSeconds;
        var cpuShare = cpu.TotalSeconds / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SignalingThroughput[{_label}]: messages={_totalReceived} elapsed={elapsed.TotalSeconds:F2}s rate={rate:F0} msg/s (whole run incl. pauses between iterations)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SignalingThroughput[{_label}]: latency p50={p50:F3} ms p99={p99:F3} ms (send call -> master subscriber, {count} samples)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SignalingThroughput[{_label}]: process CPU={cpuShare * 100:F0}% of one core ({cpuShare * 100 / Environment.ProcessorCount:F0}% of {Environment.ProcessorCount} cores; client + in-process emulator)"));
    }
}
