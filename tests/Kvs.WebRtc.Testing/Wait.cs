using NUnit.Framework;

namespace Kvs.WebRtc.Testing;

/// <summary>
/// The one bounded polling wait of the test projects: checks a condition every few milliseconds and fails the test
/// (rather than hanging) when it does not hold in time.
/// </summary>
public static class Wait
{
    /// <summary>How often the condition is checked.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Returns once <paramref name="condition"/> holds; fails the test with <paramref name="what"/> when it still
    /// does not after <paramref name="timeout"/>. Cancelling <paramref name="cancellationToken"/> ends the wait with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what = "condition not met in time", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"{what} (waited {timeout.TotalSeconds:0.#} s)");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
