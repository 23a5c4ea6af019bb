using System.Reflection;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Packaging;

/// <summary>
/// Checks on each packable assembly's public API that the build does not make: nullable annotations and XML docs
/// shipped beside the assembly. The API itself is tracked at build time by Microsoft.CodeAnalysis.PublicApiAnalyzers
/// (<c>src/&lt;Assembly&gt;/PublicAPI.Shipped.txt</c> and <c>PublicAPI.Unshipped.txt</c>; see docs/architecture.md).
/// </summary>
[TestFixture]
public sealed class PublicApiTests
{
    private static readonly string[] s_packableAssemblies = ["Kvs.WebRtc.Signaling", "Kvs.WebRtc.PeerConnection", "Kvs.WebRtc", "Kvs.WebRtc.Extensions.Hosting", "Kvs.WebRtc.Emulator"];

    private static IEnumerable<string> PackableAssemblies() => s_packableAssemblies;

    [TestCaseSource(nameof(PackableAssemblies))]
    public void PublicApiFiles_ExistWithNullableTracking(string assemblyName)
    {
        foreach (var name in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            var path = Path.Combine(RepositoryPaths.Root, "src", assemblyName, name);
            Assert.That(File.Exists(path), Is.True, $"{path} is missing: the analyzer would not track this package");
            Assert.That(File.ReadLines(path).FirstOrDefault(), Is.EqualTo("#nullable enable"), path);
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
