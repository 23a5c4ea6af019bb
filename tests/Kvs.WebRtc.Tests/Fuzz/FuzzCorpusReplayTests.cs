using System.Reflection;
using Kvs.WebRtc.Fuzz;
using Kvs.WebRtc.Fuzz.Targets;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Fuzz;

/// <summary>
/// Replays every committed fuzz input (tests/Kvs.WebRtc.Fuzz/corpus/&lt;target&gt; and regressions/&lt;target&gt;) through its
/// harness, as docs/fuzzing.md describes: no input may make a harness throw (an escaping exception is what AFL reports
/// as a crash) or run past the hang bound. Every crash or hang a campaign finds is committed under regressions/, so it
/// stays fixed.
/// </summary>
[TestFixture]
public sealed class FuzzCorpusReplayTests
{
    // A hang guard, not a speed goal: far above what any input takes (milliseconds), low enough to catch a loop.
    private static readonly TimeSpan s_hangBound = TimeSpan.FromSeconds(20);

    private static string FuzzRoot => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.Fuzz");

    private static IEnumerable<string> TargetNames() => FuzzTargets.All.Select(t => t.Name);

    [TestCaseSource(nameof(TargetNames))]
    public void Replay_CommittedCorpusAndRegressions_NoCrashNoHang(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = Inputs("corpus", name);
        var regressions = Inputs("regressions", name);
        Assert.That(corpus, Is.Not.Empty, $"corpus/{name} has no seed inputs");

        var failures = new List<string>();
        foreach (var file in corpus.Concat(regressions))
        {
            var data = File.ReadAllBytes(file);
            var run = Task.Run(() => target.Run(data));
            try
            {
                if (!run.Wait(s_hangBound))
                {
                    failures.Add($"{Relative(file)}: still running after {s_hangBound.TotalSeconds} s (hang)");
                }
            }
            catch (AggregateException ex)
            {
                failures.Add($"{Relative(file)}: crash: {ex.InnerException}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Corpus_EveryFolder_NamesAKnownTarget()
    {
        var known = TargetNames().ToHashSet(StringComparer.Ordinal);
        foreach (var kind in new[] { "corpus", "regressions" })
        {
            var root = Path.Combine(FuzzRoot, kind);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var dir in Directory.GetDirectories(root))
            {
                Assert.That(known, Does.Contain(Path.GetFileName(dir)), $"{kind}/{Path.GetFileName(dir)} is not a fuzz target");
            }
        }
    }

    [TestCase("dtls-server-deep")]
    [TestCase("dtls-client-deep")]
    public void DtlsDeep_CommittedRecordings_ReplayPastFinishedInAnotherProcess(string name)
    {
        // The seeds were recorded by the seed generator in another process: with the deterministic entropy seam the
        // connection under test repeats the same randoms, keys and signatures, so the recorded peer flights verify
        // (Finished), decrypt (application data), and the sealed wrong Finished fails verification.
        var outcomes = Inputs("corpus", name).Where(f => Path.GetFileName(f).StartsWith("gen-", StringComparison.Ordinal))
            .Select(f => DtlsDeepTargets.Replay(name, File.ReadAllBytes(f))).ToList();
        Assert.That(outcomes.Count(o => o.EverConnected && o.ApplicationRecords >= 2), Is.GreaterThanOrEqualTo(2));
        Assert.That(outcomes.Count(o => !o.EverConnected && o.Failed), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void FuzzInputSplit_TruncatedAndOverlongInputs_TakesWhatIsThereUpToTheRecordBound()
    {
        var records = FuzzInput.Split([0, 3, 1, 2, 3, 0, 9, 4]);
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records[1], Is.EqualTo(new byte[] { 4 }));
        var many = FuzzInput.Join(Enumerable.Repeat(new byte[] { 1 }, FuzzInput.MaxRecords + 10));
        Assert.That(FuzzInput.Split(many), Has.Count.EqualTo(FuzzInput.MaxRecords));
    }

    [TestCase("Kvs.WebRtc.PeerConnection")]
    [TestCase("Kvs.WebRtc.Signaling")]
    [TestCase("Kvs.WebRtc")]
    [TestCase("Kvs.WebRtc.Emulator")]
    [TestCase("Kvs.WebRtc.Extensions.Hosting")]
    public void ShippingAssembly_DoesNotReferenceFuzzing(string assemblyName)
    {
        var references = Assembly.Load(assemblyName).GetReferencedAssemblies().Select(a => a.Name);
        Assert.That(references, Has.None.EqualTo("SharpFuzz").And.None.EqualTo("Kvs.WebRtc.Fuzz"));
    }

    private static List<string> Inputs(string kind, string target)
    {
        var dir = Path.Combine(FuzzRoot, kind, target);
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private static string Relative(string file) => Path.GetRelativePath(FuzzRoot, file);
}
