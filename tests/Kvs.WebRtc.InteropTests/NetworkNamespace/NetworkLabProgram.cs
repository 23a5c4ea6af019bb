using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>
/// Finds programs this test project references without loading them (<c>ReferenceOutputAssembly="false"</c>: the
/// NetworkLab, the quick start) in their own output folders, and the dotnet host to run them.
/// </summary>
internal static class NetworkLabProgram
{
    /// <summary>The network lab: two of our peer connections exchanging data-channel messages.</summary>
    public const string NetworkLab = "Kvs.WebRtc.NetworkLab";

    /// <summary>The recovery lab: a master and a viewer session whose network is changed under them (docs/recovery.md).</summary>
    public const string RecoveryLab = "Kvs.WebRtc.RecoveryLab";

    /// <summary>The README's main command: emulator, master and viewer in one process.</summary>
    public const string QuickStart = "Kvs.WebRtc.QuickStart";

    /// <summary>The quick start's assembly (its dotnet tool command name).</summary>
    public const string QuickStartAssembly = "kvs-quickstart";

    /// <summary>The dotnet host running these tests (<c>DOTNET_HOST_PATH</c> from <c>dotnet test</c>), else dotnet on PATH.</summary>
    public static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalTool.Require("dotnet", "/usr/share/dotnet/dotnet", "/usr/bin/dotnet");

    /// <summary>
    /// The program's dll in its own output folder (artifacts layout <c>bin/&lt;project&gt;/&lt;pivot&gt;/</c>, a sibling of
    /// this assembly's), else next to this assembly; fails the test when it was not built.
    /// </summary>
    public static string Dll(string name = NetworkLab, string? assemblyName = null)
    {
        assemblyName ??= name;
        var here = AppContext.BaseDirectory;
        var candidates = new List<string>();
        var pivot = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        if (pivot.Parent?.Parent is { } bin)
        {
            candidates.Add(Path.Combine(bin.FullName, name, pivot.Name, assemblyName + ".dll"));
        }

        candidates.Add(Path.Combine(here, assemblyName + ".dll"));
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate) && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json")))
            {
                return candidate;
            }
        }

        Assert.Fail($"{assemblyName}.dll (with its runtimeconfig) not found; looked at {string.Join(", ", candidates)}. Build the {name} project.");
        return null!;
    }
}
