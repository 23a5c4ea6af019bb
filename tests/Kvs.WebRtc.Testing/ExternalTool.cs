using NUnit.Framework;

namespace Kvs.WebRtc.Testing;

/// <summary>
/// Finds an external program an interop test needs. Outside CI a missing tool skips the test
/// (<see cref="Assert.Ignore(string)"/>); with <c>CI=true</c> it fails the test, because CI installs every tool.
/// </summary>
public static class ExternalTool
{
    /// <summary>True when running under CI (<c>CI=true</c>).</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="name"/> on PATH (or the first existing candidate path).</summary>
    /// <param name="name">Program name, e.g. <c>node</c>.</param>
    /// <param name="candidates">Absolute paths to try first.</param>
    public static string Require(string name, params string[] candidates)
    {
        var path = Find(name, candidates);
        if (path is not null)
        {
            return path;
        }

        RequireCondition(false, $"'{name}' is not installed");
        return null!; // unreachable: RequireCondition throws
    }

    /// <summary>Skips the test outside CI, or fails it under CI, when <paramref name="available"/> is false.</summary>
    public static void RequireCondition(bool available, string whatIsMissing)
    {
        if (available)
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail($"{whatIsMissing}; CI must install it (.ci/run).");
        }

        Assert.Ignore($"{whatIsMissing}; skipped outside CI (run .ci/run to install it).");
    }

    /// <summary>Searches PATH and the candidates; null when absent.</summary>
    public static string? Find(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var pathVariable = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, name);
            if (File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }
}
