using System.Text;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>A thread-safe <see cref="TextWriter"/> that keeps the lines written and lets a test wait for one.</summary>
public sealed class CapturingWriter : TextWriter
{
    private readonly object _gate = new();
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waits = [];

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The complete lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Everything written, for failure messages.</summary>
    public override string ToString() => string.Join('\n', Lines);

    /// <inheritdoc />
    public override void Write(char value)
    {
        List<TaskCompletionSource<string>> found = [];
        string? complete = null;
        lock (_gate)
        {
            if (value == '\n')
            {
                complete = _line.ToString().TrimEnd('\r');
                _line.Clear();
                _lines.Add(complete);
                for (var i = _waits.Count - 1; i >= 0; i--)
                {
                    if (_waits[i].Match(complete))
                    {
                        found.Add(_waits[i].Found);
                        _waits.RemoveAt(i);
                    }
                }
            }
            else
            {
                _line.Append(value);
            }
        }

        foreach (var tcs in found)
        {
            tcs.TrySetResult(complete!);
        }
    }

    /// <summary>The first line (already written or to come) that matches, within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No such line in time.</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            _waits.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching line within {timeout}. Output so far:\n{this}");
        }
    }
}
