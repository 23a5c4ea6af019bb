using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.NetworkNamespace;

/// <summary>Finds the built <c>Kvs.WebRtc.NetworkLab.dll</c> (a project reference of this test project) and the dotnet host to run it.</summary>
internal static class NetworkLabProgram
{
    private const string Name = "Kvs.WebRtc.NetworkLab";

    /// <summary>The dotnet host running these tests (<c>DOTNET_HOST_PATH</c> from <c>dotnet test</c>), else dotnet on PATH.</summary>
    public static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalTool.Require("dotnet", "/usr/share/dotnet/dotnet", "/usr/bin/dotnet");

    /// <summary>
    /// The lab's dll in its own output folder (artifacts layout <c>bin/&lt;project&gt;/&lt;pivot&gt;/</c>, a sibling of this
    /// assembly's), else next to this assembly; fails the test when it was not built.
    /// </summary>
    public static string Dll()
    {
        var here = AppContext.BaseDirectory;
        var candidates = new List<string>();
        var pivot = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        if (pivot.Parent?.Parent is { } bin)
        {
            candidates.Add(Path.Combine(bin.FullName, Name, pivot.Name, Name + ".dll"));
        }

        candidates.Add(Path.Combine(here, Name + ".dll"));
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate) && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json")))
            {
                return candidate;
            }
        }

        Assert.Fail($"{Name}.dll (with its runtimeconfig) not found; looked at {string.Join(", ", candidates)}. Build tests/{Name}.");
        return null!;
    }
}
