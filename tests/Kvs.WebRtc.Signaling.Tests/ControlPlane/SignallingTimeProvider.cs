using System.Threading.Channels;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

/// <summary>A <see cref="ManualTimeProvider"/> that also lets a test await the creation of timers.</summary>
internal sealed class SignallingTimeProvider : TimeProvider
{
    private readonly Channel<bool> _created = Channel.CreateUnbounded<bool>();
    private int _waitedFor;

    public SignallingTimeProvider(DateTimeOffset? start = null) => Inner = new ManualTimeProvider(start);

    public ManualTimeProvider Inner { get; }

    public override long TimestampFrequency => Inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

    public override long GetTimestamp() => Inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Inner.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(true);
        return timer;
    }

    public void Advance(TimeSpan delta) => Inner.Advance(delta);

    /// <summary>Waits (at most 10 s) until <paramref name="total"/> timers have been created since construction.</summary>
    public async Task WaitForTimerAsync(int total)
    {
        while (_waitedFor < total)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _created.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timer {_waitedFor + 1} was not created within 10 s.");
            }

            _waitedFor++;
        }
    }
}
