using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// The logger factory handed to the ASP.NET Core host: the framework's own categories (<c>Microsoft.*</c>) only pass
/// warnings and errors, because its request logs print the full request URL, which for a WebSocket upgrade holds
/// <c>X-Amz-Signature</c> and <c>X-Amz-Security-Token</c>. The emulator's own categories pass unchanged (they redact).
/// </summary>
/// <remarks>Does not own the wrapped factory: disposing this does nothing.</remarks>
internal sealed class HostLoggerFactory : ILoggerFactory
{
    private readonly ILoggerFactory _inner;

    public HostLoggerFactory(ILoggerFactory inner) => _inner = inner;

    public ILogger CreateLogger(string categoryName)
    {
        var logger = _inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new WarningsOnlyLogger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose()
    {
    }

    private sealed class WarningsOnlyLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
