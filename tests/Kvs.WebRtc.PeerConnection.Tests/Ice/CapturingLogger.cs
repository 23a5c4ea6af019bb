using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>Keeps every formatted log line (all levels), to check what the agent writes.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            // Structured values too: a secret could hide in a parameter the template does not print.
            line += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
        }

        Lines.Enqueue(line);
    }
}

/// <summary>Hands out one shared <see cref="CapturingLogger"/>.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public CapturingLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
