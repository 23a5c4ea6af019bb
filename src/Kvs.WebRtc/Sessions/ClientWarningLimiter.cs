using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// Rate-limits the warnings one remote client can cause (malformed messages, bad SDP, rejected candidates): per client
/// id, the first <see cref="Burst"/> warnings of a <see cref="Window"/> are logged, the rest are counted and summed up
/// in one line when the window has passed or the client is forgotten. A noisy or hostile client cannot flood the log,
/// and one client's noise never hides another's first warnings.
/// </summary>
/// <remarks>Thread-safe. Memory is bounded: at most <see cref="MaxClients"/> clients are tracked at once.</remarks>
internal sealed partial class ClientWarningLimiter
{
    /// <summary>Warnings logged per client and window.</summary>
    public const int Burst = 5;

    /// <summary>Clients tracked at once; beyond, the oldest windows are summed up and dropped.</summary>
    public const int MaxClients = 1024;

    /// <summary>The length of one counting window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private const string NoClient = "(none)";

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ClientWarningLimiter(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    /// <summary>How many warnings were suppressed so far, over all clients (for tests and stats).</summary>
    public long SuppressedTotal { get; private set; }

    /// <summary>How many clients are tracked now (bounded by <see cref="MaxClients"/>).</summary>
    public int TrackedClients
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether a warning caused by <paramref name="clientId"/> should be logged now; counts it when not.</summary>
    public bool ShouldLog(string? clientId)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return false;
        }

        var key = clientId ?? NoClient;
        var now = _time.GetTimestamp();
        (string ClientId, long Suppressed)? summary = null;
        bool log;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                if (_entries.Count >= MaxClients)
                {
                    SummarizeAndClear();
                }

                entry = new Entry(now);
                _entries[key] = entry;
            }
            else if (_time.GetElapsedTime(entry.WindowStart, now) >= Window)
            {
                if (entry.Suppressed > 0)
                {
                    summary = (key, entry.Suppressed);
                }

                entry.WindowStart = now;
                entry.Logged = 0;
                entry.Suppressed = 0;
            }

            log = entry.Logged < Burst;
            if (log)
            {
                entry.Logged++;
            }
            else
            {
                entry.Suppressed++;
                SuppressedTotal++;
            }
        }

        if (summary is { } s)
        {
            Log.Suppressed(_logger, s.Suppressed, s.ClientId, Window);
        }

        return log;
    }

    /// <summary>Forgets a client (it left): its count of suppressed warnings, if any, is logged now.</summary>
    public void Forget(string clientId)
    {
        Entry? entry;
        lock (_gate)
        {
            _entries.Remove(clientId, out entry);
        }

        if (entry is { Suppressed: > 0 })
        {
            Log.Suppressed(_logger, entry.Suppressed, clientId, Window);
        }
    }

    private void SummarizeAndClear()
    {
        foreach (var (clientId, entry) in _entries)
        {
            if (entry.Suppressed > 0)
            {
                Log.Suppressed(_logger, entry.Suppressed, clientId, Window);
            }
        }

        _entries.Clear();
    }

    private sealed class Entry(long windowStart)
    {
        public long WindowStart = windowStart;
        public int Logged;
        public long Suppressed;
    }

    private static partial class Log
    {
        [LoggerMessage(9020, LogLevel.Warning, "Suppressed {Count} more warnings caused by client {ClientId} (at most 5 are logged per {Window})")]
        public static partial void Suppressed(ILogger logger, long count, string clientId, TimeSpan window);
    }
}
