using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Samples;

/// <summary>What the console master and viewer do before their own work: parse, print usage, set up console logging.</summary>
internal static class SampleCommandLine
{
    /// <summary>
    /// Parses <paramref name="args"/>; on a bad command line writes why to <paramref name="error"/> and gives exit code 2,
    /// on <c>--help</c> writes <paramref name="usage"/> and gives 0; otherwise the arguments and no exit code.
    /// </summary>
    public static async Task<(T? Arguments, int? ExitCode)> ParseAsync<T>(string[] args, Func<string[], T> parse, Func<T, bool> wantsHelp,
        string usage, TextWriter output, TextWriter error)
        where T : class
    {
        T arguments;
        try
        {
            arguments = parse(args);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return (null, 2);
        }

        if (wantsHelp(arguments))
        {
            await output.WriteLineAsync(usage).ConfigureAwait(false);
            return (null, 0);
        }

        return (arguments, null);
    }

    /// <summary>Single-line console logs on standard error at <paramref name="level"/> (Microsoft's own at Warning).</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(b => b
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
