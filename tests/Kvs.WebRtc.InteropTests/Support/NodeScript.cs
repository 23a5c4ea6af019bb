using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// Runs one of the Node scripts under <c>node/</c> (the official KVS JS SDK lives in its node_modules) and talks to
/// it in JSON lines: commands on stdin, events on stdout. Every wait is bounded; disposal kills the process tree.
/// </summary>
internal sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly List<string> _stderr = [];
    private readonly List<JsonObject> _seen = [];

    private NodeScript(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _events.Writer.TryComplete();
                return;
            }

            try
            {
                if (JsonNode.Parse(e.Data) is JsonObject obj)
                {
                    _events.Writer.TryWrite(obj);
                }
            }
            catch (JsonException)
            {
                lock (_stderr)
                {
                    _stderr.Add("stdout (not JSON): " + e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
    }

    /// <summary>The folder holding the scripts and their node_modules.</summary>
    public static string ScriptDirectory => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "node");

    /// <summary>Finds node and the installed JS SDK, skipping outside CI (failing under CI) when either is absent.</summary>
    public static string RequireNode()
    {
        var node = ExternalTool.Require("node", "/usr/bin/node");
        ExternalTool.RequireCondition(
            Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "amazon-kinesis-video-streams-webrtc")),
            "npm package amazon-kinesis-video-streams-webrtc (npm ci in tests/Kvs.WebRtc.InteropTests/node)");
        return node;
    }

    /// <summary>Finds node and the installed werift package, skipping outside CI (failing under CI) when either is absent.</summary>
    public static string RequireWerift()
    {
        var node = ExternalTool.Require("node", "/usr/bin/node");
        ExternalTool.RequireCondition(
            Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "werift")),
            "npm package werift (npm ci in tests/Kvs.WebRtc.InteropTests/node)");
        return node;
    }

    /// <summary>Starts <paramref name="script"/> with extra environment variables.</summary>
    public static NodeScript Start(string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = RequireNode();
        var psi = new ProcessStartInfo(node, script)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        var script1 = new NodeScript(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return script1;
    }

    /// <summary>Runs a script to completion with <paramref name="stdin"/> and returns its stdout.</summary>
    public static async Task<string> RunAsync(string script, string stdin, TimeSpan timeout)
    {
        var node = RequireNode();
        var psi = new ProcessStartInfo(node, script)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.StandardInput.WriteAsync(stdin.AsMemory(), cts.Token);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within {timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>Sends one command object as a JSON line.</summary>
    public async Task SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits (bounded) for the next event whose <c>event</c> member is <paramref name="name"/>; earlier
    /// events of other kinds are kept in <see cref="Seen"/>.</summary>
    public async Task<JsonObject> WaitForAsync(string name, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (await _events.Reader.WaitToReadAsync(cts.Token))
            {
                while (_events.Reader.TryRead(out var evt))
                {
                    _seen.Add(evt);
                    if ((string?)evt["event"] == name)
                    {
                        return evt;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // fall through to the diagnostic below
        }

        throw new TimeoutException($"JS peer sent no '{name}' event. Seen: {string.Join(" | ", _seen.Select(e => e.ToJsonString()))}. stderr: {Stderr}");
    }

    /// <summary>Every event read so far.</summary>
    public IReadOnlyList<JsonObject> Seen => _seen;

    /// <summary>What the script wrote to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await SendAsync(new { cmd = "close" });
                }
                catch (IOException)
                {
                    // already gone
                }

                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
