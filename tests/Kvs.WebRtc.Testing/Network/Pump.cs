namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// Drives a <see cref="ManualTimeProvider"/> (and so a <see cref="VirtualNetwork"/> and everything else on that clock)
/// deterministically: always to the next due timer, never by a guessed step, with an iteration cap.
/// </summary>
/// <remarks>
/// Why <see cref="ManualTimeProvider"/> and not <c>FakeTimeProvider</c>: the latter invokes a timer changed to a zero
/// due time synchronously inside <c>Change</c> (re-entering the caller's lock, e.g. IceTransport arms its timer with 0
/// under its lock), rounds due times down to whole milliseconds (serialization delays are often below one), and cannot
/// tell when its next timer is due, which pumping to the next deadline needs.
/// </remarks>
public static class Pump
{
    /// <summary>The default cap of steps of one <see cref="Until"/>.</summary>
    public const int DefaultMaxSteps = 1_000_000;

    /// <summary>
    /// Advances <paramref name="clock"/> from due timer to due timer until <paramref name="condition"/> holds or
    /// <paramref name="limit"/> of clock time has passed (then the clock stands exactly at the limit).
    /// </summary>
    /// <param name="clock">The clock every component under test uses.</param>
    /// <param name="condition">Checked before each step; read synchronously visible state only (it runs on this thread).</param>
    /// <param name="limit">Most clock time to advance.</param>
    /// <param name="maxSteps">Most steps (a step fires every timer due at one instant).</param>
    /// <param name="beforeStep">
    /// Runs before each check and step: lets work that other threads finish for the components (a connection loop
    /// draining what was queued while it was busy) complete before the clock moves on, so it happens at this instant.
    /// </param>
    /// <returns>Whether <paramref name="condition"/> held.</returns>
    /// <exception cref="InvalidOperationException">More than <paramref name="maxSteps"/> steps: something re-arms a timer at the same instant forever.</exception>
    public static bool Until(ManualTimeProvider clock, Func<bool> condition, TimeSpan limit, int maxSteps = DefaultMaxSteps, Action? beforeStep = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero);
        var end = clock.GetUtcNow() + limit;
        for (var step = 0; step < maxSteps; step++)
        {
            beforeStep?.Invoke();
            if (condition())
            {
                return true;
            }

            var now = clock.GetUtcNow();
            if (clock.NextDue is not { } next || next > end)
            {
                clock.Advance(end > now ? end - now : TimeSpan.Zero);
                return condition();
            }

            clock.Advance(next > now ? next - now : TimeSpan.Zero);
        }

        throw new InvalidOperationException($"Pump.Until took more than {maxSteps} steps.");
    }

    /// <summary>Advances <paramref name="clock"/> by <paramref name="duration"/>, firing every timer due on the way, in order.</summary>
    public static void For(ManualTimeProvider clock, TimeSpan duration, Action? beforeStep = null) =>
        Until(clock, static () => false, duration, beforeStep: beforeStep);
}
