using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>An <see cref="ILoggerProvider"/> (usable directly as the connection's factory) that keeps every entry.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
    }
}
