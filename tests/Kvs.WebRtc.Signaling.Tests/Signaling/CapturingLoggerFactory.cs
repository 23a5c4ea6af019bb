using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every formatted entry (message and exception text) at every level.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(EventId EventId, LogLevel Level, string Text)> _entries = new();

    public IReadOnlyCollection<(EventId EventId, LogLevel Level, string Text)> Entries => _entries;

    public string AllText => string.Join("\n", _entries.Select(e => e.Text));

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += "\n" + string.Join(";", values.Select(v => $"{v.Key}={v.Value}"));
            }

            owner._entries.Enqueue((eventId, logLevel, text));
        }
    }
}
