using System.Diagnostics;
using System.Text;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>What a script run in a fresh network namespace printed, and how it ended.</summary>
internal sealed record NamespaceProcessResult(IReadOnlyList<string> Lines, string Stderr, bool TimedOut, int? ExitCode)
{
    /// <summary>Standard output, one line per entry.</summary>
    public string Stdout => string.Join('\n', Lines);
}

/// <summary>
/// Runs a shell script in a fresh network namespace (<c>unshare -n sh -c script sh args...</c>) with its output
/// captured (standard error capped at 16,000 characters) and a hard time-out after which the whole process tree is killed.
/// </summary>
internal static class NamespaceProcess
{
    public static async Task<NamespaceProcessResult> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout, string? extraPath = null)
    {
        var psi = new ProcessStartInfo(ExternalTool.Require("unshare", "/usr/bin/unshare"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-n", "sh", "-c", script, "sh" }.Concat(arguments))
        {
            psi.ArgumentList.Add(argument);
        }

        if (extraPath is not null)
        {
            psi.Environment["PATH"] = extraPath + ":" + Environment.GetEnvironmentVariable("PATH");
        }

        // The namespace may have no route to anything else; keep dotnet from trying (telemetry, first-run work).
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        using var process = new Process { StartInfo = psi };
        var stdout = new List<string>();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    if (stderr.Length < 16_000)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // WaitForExitAsync returns once the output streams are drained too.
        List<string> lines;
        lock (stdout)
        {
            lines = [.. stdout];
        }

        string errors;
        lock (stderr)
        {
            errors = stderr.ToString();
        }

        return new NamespaceProcessResult(lines, errors, timedOut, timedOut ? null : process.ExitCode);
    }
}
