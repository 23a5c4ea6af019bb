using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>An external peer process (OpenSSL CLI, node) with captured output; every wait is bounded and disposal kills it.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PeerProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static PeerProcess Start(string program, string arguments)
    {
        var psi = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = psi };
        var result = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public bool WaitForOutput(Func<string, bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (condition(Output))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition(Output);
    }

    /// <summary>Finds the first JSON output line (as the werift peer scripts print them) whose <c>event</c> is <paramref name="name"/>.</summary>
    public bool TryFindEvent(string name, out JsonObject? found)
    {
        foreach (var line in Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('{') && JsonNode.Parse(line) is JsonObject obj && (string?)obj["event"] == name)
            {
                found = obj;
                return true;
            }
        }

        found = null;
        return false;
    }

    /// <summary>Waits (bounded) for a JSON event line; fails the test with the peer's output when none comes.</summary>
    public JsonObject WaitForEvent(string name, TimeSpan timeout)
    {
        JsonObject? found = null;
        Assert.That(WaitForOutput(_ => TryFindEvent(name, out found), timeout), Is.True, $"no '{name}' event from the peer" + Describe());
        return found!;
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    public string Describe() => Environment.NewLine + "peer output:" + Environment.NewLine + Output;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
