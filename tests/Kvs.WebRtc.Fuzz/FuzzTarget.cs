namespace Kvs.WebRtc.Fuzz;

/// <summary>
/// One fuzz harness: a parser (or a sans-IO core) fed the whole input. A typed parse failure is the expected outcome
/// for most inputs and returns normally; any exception that escapes <see cref="Run"/> is a finding (docs/fuzzing.md).
/// </summary>
/// <param name="Name">The name the runner, the corpus folder and the replay test use.</param>
/// <param name="Description">What the harness drives.</param>
/// <param name="Run">The harness.</param>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Run);
