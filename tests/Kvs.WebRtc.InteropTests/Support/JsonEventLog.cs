using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// The JSON-line events a peer script (werift, the Firefox driver) prints on stdout, kept in arrival order; a waiter
/// takes each event at most once. Also keeps the script's stderr (bounded) for assertion messages. Thread-safe.
/// </summary>
internal sealed class JsonEventLog(string peerName, int stderrLimit)
{
    private readonly List<(JsonObject Event, bool Taken)> _events = [];
    private readonly List<string> _stderr = [];
    private int _first; // events before it are forgotten (an earlier peer connection's)
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Parses one stdout line: a JSON object, or a <c>stdout</c> event carrying a line that is not JSON; null for blank or non-object lines.</summary>
    public static JsonObject? Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return new JsonObject { ["event"] = "stdout", ["line"] = line };
        }
    }

    /// <summary>A message event's payload: text, or the bytes of a binary message.</summary>
    public static (string? Text, byte[]? Binary) Payload(JsonObject message) =>
        message["base64"] is { } b64 ? (null, Convert.FromBase64String((string)b64!)) : ((string?)message["text"], null);

    /// <summary>Records an event and wakes the waiters.</summary>
    public void Add(JsonObject evt)
    {
        lock (_events)
        {
            _events.Add((evt, false));
        }

        Signal();
    }

    /// <summary>Wakes the waiters (for example when the script's output ended).</summary>
    public void Signal()
    {
        lock (_events)
        {
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Records a stderr line (the first <c>stderrLimit</c> are kept).</summary>
    public void AddStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            if (_stderr.Count < stderrLimit)
            {
                _stderr.Add(line);
            }
        }
    }

    /// <summary>From now on waiters and <see cref="Where"/> see only events recorded after this call.</summary>
    public void ForgetEarlier()
    {
        lock (_events)
        {
            _first = _events.Count;
        }
    }

    /// <summary>The events (not forgotten) matching <paramref name="predicate"/>, as JSON text.</summary>
    public IReadOnlyList<string> Where(Func<JsonObject, bool> predicate)
    {
        lock (_events)
        {
            return _events.Skip(_first).Where(e => predicate(e.Event)).Select(e => e.Event.ToJsonString()).ToList();
        }
    }

    /// <summary>
    /// Waits (bounded by <paramref name="ct"/>) for the first event <paramref name="name"/> not yet taken that matches
    /// <paramref name="match"/>, and takes it. <paramref name="gone"/>, when given, is asked every second whether the
    /// script has ended; its message then fails the wait at once.
    /// </summary>
    public async Task<JsonObject> WaitForAsync(string name, CancellationToken ct, Func<JsonObject, bool>? match = null, Func<string?>? gone = null)
    {
        while (true)
        {
            Task changed;
            lock (_events)
            {
                for (var i = _first; i < _events.Count; i++)
                {
                    var (evt, taken) = _events[i];
                    if (!taken && (string?)evt["event"] == name && (match is null || match(evt)))
                    {
                        _events[i] = (evt, true);
                        return evt;
                    }
                }

                if (gone?.Invoke() is { } reason)
                {
                    throw new InvalidOperationException($"{reason} before a '{name}' event. {Describe()}");
                }

                changed = _changed.Task;
            }

            try
            {
                await (gone is null ? changed.WaitAsync(ct) : changed.WaitAsync(TimeSpan.FromSeconds(1), ct));
            }
            catch (TimeoutException)
            {
                // Re-check whether the script ended.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{peerName} sent no matching '{name}' event. {Describe()}");
            }
        }
    }

    /// <summary>Takes <paramref name="count"/> message events on <paramref name="label"/>, in arrival order.</summary>
    public async Task<List<JsonObject>> TakeMessagesAsync(string label, int count, CancellationToken ct, Func<string?>? gone = null)
    {
        var result = new List<JsonObject>(count);
        while (result.Count < count)
        {
            result.Add(await WaitForAsync("message", ct, e => (string?)e["label"] == label, gone));
        }

        return result;
    }

    /// <summary>The last 30 events and 40 stderr lines, for assertion messages.</summary>
    public string Describe()
    {
        string events;
        lock (_events)
        {
            events = string.Join(" | ", _events.TakeLast(30).Select(e => Truncate(e.Event.ToJsonString())));
        }

        lock (_stderr)
        {
            return $"{peerName} events (last 30): {events}\n{peerName} stderr (last 40): {string.Join('\n', _stderr.TakeLast(40))}";
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
