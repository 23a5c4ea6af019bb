using System.Reflection;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Packaging;

/// <summary>
/// Tracks each packable assembly's public API as text (<c>src/&lt;Assembly&gt;/PublicAPI.txt</c>), as
/// StackExchange.Redis does with PublicApiAnalyzers: every API change is a visible diff in review. Regenerate with
/// <c>KVS_UPDATE_PUBLIC_API=1 dotnet test tests/Kvs.WebRtc.Tests --filter PublicApiTests</c>.
/// </summary>
[TestFixture]
public sealed class PublicApiTests
{
    private static readonly string[] s_packableAssemblies = ["Kvs.WebRtc.Signaling", "Kvs.WebRtc.PeerConnection", "Kvs.WebRtc", "Kvs.WebRtc.Extensions.Hosting", "Kvs.WebRtc.Emulator"];

    private static IEnumerable<string> PackableAssemblies() => s_packableAssemblies;

    [TestCaseSource(nameof(PackableAssemblies))]
    public void PublicApi_MatchesCheckedInSnapshot(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var actual = PublicApiWriter.Write(assembly);
        var path = Path.Combine(RepositoryPaths.Root, "src", assemblyName, "PublicAPI.txt");

        if (Environment.GetEnvironmentVariable("KVS_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; regenerate it (see the class docs).");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var expectedLines = expected.Split('\n').ToHashSet(StringComparer.Ordinal);
            var actualLines = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
            var added = actualLines.Except(expectedLines).Take(20);
            var removed = expectedLines.Except(actualLines).Take(20);
            Assert.Fail($"Public API of {assemblyName} changed.\nAdded:\n  {string.Join("\n  ", added)}\nRemoved:\n  {string.Join("\n  ", removed)}\n" +
                "If intended, regenerate the snapshot (see PublicApiTests docs) and review the diff.");
        }
    }

    [TestCaseSource(nameof(PackableAssemblies))]
    public void PublicTypes_AreDocumentedAndNullableAnnotated(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var nullableContext = assembly.GetCustomAttributesData()
            .Any(a => a.AttributeType.Name == "NullableContextAttribute") ||
            assembly.GetTypes().Any(t => t.GetCustomAttributesData().Any(a => a.AttributeType.Name == "NullableContextAttribute"));
        Assert.That(nullableContext, Is.True, "assembly must be compiled with nullable annotations");

        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.That(File.Exists(xml), Is.True, $"XML documentation file {xml} must ship beside the assembly");
        var docs = File.ReadAllText(xml);
        var undocumented = assembly.GetExportedTypes().Where(t => !docs.Contains($"\"T:{t.FullName!.Replace('+', '.')}\"", StringComparison.Ordinal)).Select(t => t.FullName).ToList();
        Assert.That(undocumented, Is.Empty, "every public type has XML docs");
    }
}
