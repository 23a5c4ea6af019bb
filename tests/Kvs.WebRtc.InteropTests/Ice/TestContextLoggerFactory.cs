using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>Writes log lines with a millisecond timestamp to the NUnit output (to read timings of interop runs).</summary>
internal sealed class TestContextLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TextWriter _out = TestContext.Out;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TestContextLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (owner._out)
                {
                    owner._out.WriteLine($"{owner._clock.Elapsed.TotalMilliseconds,8:F1} ms {category}: {formatter(state, exception)}");
                }
            }
        }
    }

    private readonly LogLevel _minimum = minimum;
}
