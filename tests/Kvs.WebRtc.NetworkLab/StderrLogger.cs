using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>A minimal logger to stderr (<c>--log LEVEL</c>), so a stuck run can be diagnosed; stdout stays the JSON result.</summary>
internal sealed class StderrLoggerFactory(LogLevel minimum, string prefix) : ILoggerFactory
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();
    private static readonly object s_write = new();
    private readonly LogLevel _minimum = minimum;
    private readonly string _prefix = prefix;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
        // Writes to stderr only.
    }

    public void Dispose()
    {
        // Nothing held.
    }

    private sealed class Logger(StderrLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{s_clock.Elapsed.TotalSeconds,8:F3} {owner._prefix} {logLevel.ToString()[..4]} {category}: {formatter(state, exception)}"
                + (exception is null ? string.Empty : " " + exception.Message);
            lock (s_write)
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
