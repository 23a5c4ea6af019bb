using Kvs.WebRtc.Fuzz;
using SharpFuzz;

// Usage (docs/fuzzing.md):
//   Kvs.WebRtc.Fuzz list                     the targets, one per line: name<TAB>description
//   Kvs.WebRtc.Fuzz seeds <dir>              writes generated seed inputs to <dir>/<target>/
//   Kvs.WebRtc.Fuzz <target>                 runs the target under afl-fuzz (input on stdin / AFL shared memory)
//   Kvs.WebRtc.Fuzz <target> <file|dir>...   runs the target once per file (reproduce a finding, replay a corpus)
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: Kvs.WebRtc.Fuzz list | seeds <dir> | <target> [file|dir ...]");
    return 2;
}

if (args[0] == "list")
{
    foreach (var t in FuzzTargets.All)
    {
        Console.WriteLine($"{t.Name}\t{t.Description}");
    }

    return 0;
}

if (args[0] == "seeds" && args.Length == 2)
{
    var written = SeedGenerator.WriteAll(args[1]);
    Console.WriteLine($"{written} seed files written under {args[1]}");
    return 0;
}

var target = FuzzTargets.Find(args[0]);
if (target is null)
{
    await Console.Error.WriteLineAsync($"unknown target '{args[0]}' (see 'list')");
    return 2;
}

if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target.Run(buffer.ToArray());
    });
    return 0;
}

var files = args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal).ToList();
var crashes = 0;
foreach (var file in files)
{
    try
    {
        target.Run(File.ReadAllBytes(file));
    }
#pragma warning disable CA1031 // a harness reports every escaping exception as a finding
    catch (Exception ex)
#pragma warning restore CA1031
    {
        crashes++;
        await Console.Error.WriteLineAsync($"CRASH {file}: {ex}");
    }
}

Console.WriteLine($"{target.Name}: {files.Count} inputs, {crashes} crashes");
return crashes == 0 ? 0 : 1;
