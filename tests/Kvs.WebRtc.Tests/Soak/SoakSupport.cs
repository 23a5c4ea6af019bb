using System.Collections.Concurrent;
using System.Globalization;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Tests.Soak;

/// <summary>
/// A device clock that is off by <see cref="Skew"/> from the clock it wraps: wall-clock readings move, timers and
/// timestamps (relative time) are the wrapped clock's. A jump of the skew is a jump of the device's wall clock.
/// </summary>
internal sealed class SkewedTimeProvider(TimeProvider inner) : TimeProvider
{
    private long _skewTicks;

    /// <summary>How far this clock is ahead (positive) or behind (negative) the wrapped one.</summary>
    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Skew;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}

/// <summary>
/// Temporary AWS credentials as an STS-backed provider hands them out: a new access key, secret and session token
/// every <see cref="Lease"/>, renewed <see cref="RenewBefore"/> ahead of expiry on the device's clock. Each new lease
/// is registered with the emulator (as STS would make it known to the service) with its expiration, so the emulator
/// refuses it once expired.
/// </summary>
internal sealed class RotatingCredentialsProvider(KvsEmulator emulator, TimeProvider deviceClock) : IAwsCredentialsProvider
{
    private readonly Lock _gate = new();
    private AwsCredentialsSnapshot? _current;

    public TimeSpan Lease { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many leases were issued.</summary>
    public int Issued { get; private set; }

    /// <summary>The first lease issued (expired by the end of a long run).</summary>
    public AwsCredentialsSnapshot? First { get; private set; }

    public ValueTask<AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = deviceClock.GetUtcNow();
            if (_current is not { Expiration: { } expiration } || now >= expiration - RenewBefore)
            {
                Issued++;
                var id = string.Create(CultureInfo.InvariantCulture, $"ASIASOAK{Issued:D12}");
                _current = new AwsCredentialsSnapshot(id, "soak-secret-" + Guid.NewGuid().ToString("N"), "soak-token-" + Guid.NewGuid().ToString("N"), now + Lease);
                First ??= _current;
                emulator.AddCredentials(_current);
            }

            return ValueTask.FromResult(_current);
        }
    }
}

/// <summary>
/// A logger factory for long runs: counts every entry at Information and above per level and keeps the first
/// <see cref="Capacity"/> warnings and errors (memory stays bounded over a day of virtual time).
/// </summary>
internal sealed class SoakLogSink : ILoggerFactory, ILoggerProvider
{
    private const int Capacity = 2_000;
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> _kept = new();
    private readonly long[] _counts = new long[(int)LogLevel.None + 1];

    public IReadOnlyCollection<(string Category, LogLevel Level, EventId EventId, string Message)> Kept => _kept;

    public long Count(LogLevel level) => Interlocked.Read(ref _counts[(int)level]);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>Records an observation of the test itself (kept and counted as a warning).</summary>
    public void Note(string message) => Add("Soak", LogLevel.Warning, default, message);

    private void Add(string category, LogLevel level, EventId eventId, string message)
    {
        Interlocked.Increment(ref _counts[(int)level]);
        if (level >= LogLevel.Warning && _kept.Count < Capacity)
        {
            _kept.Enqueue((category, level, eventId, message));
        }
    }

    private sealed class Logger(SoakLogSink owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message));
            }
        }
    }
}

/// <summary>An observer that runs an action per item.</summary>
internal sealed class ActionObserver<T>(Action<T> onNext) : IObserver<T>
{
    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void OnNext(T value) => onNext(value);
}

/// <summary>One resource sample of the soak run.</summary>
internal readonly record struct ResourceSample(double VirtualHours, long ManagedBytes, long HeapBytes, int ThreadPoolThreads, int Handles)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{VirtualHours,5:0.0} h  managed {ManagedBytes / 1024.0 / 1024.0,7:0.00} MiB  heap {HeapBytes / 1024.0 / 1024.0,7:0.00} MiB  pool threads {ThreadPoolThreads,3}  handles {Handles,4}");
}
