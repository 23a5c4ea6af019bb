using System.Globalization;

namespace Kvs.WebRtc.Hosting;

/// <summary>Viewer limits and restart back-off of the hosted master (bound from <c>Kvs:Master</c>).</summary>
public sealed class KvsMasterOptions
{
    /// <summary>How many viewers may be connected at once, at least 1 (KVS allows 10); further offers are refused. Default 10.</summary>
    public int MaxViewers { get; set; } = 10;

    /// <summary>How long a viewer has from its offer to a connected peer connection; must be positive. Default 30 s.</summary>
    public TimeSpan ViewerConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first wait before the hosted master tries again after its start failed (no network at boot, control plane
    /// unreachable) or its signaling connection gave up; doubled on each failure up to <see cref="MaxRestartDelay"/>.
    /// Must be positive. Default 1 s.
    /// </summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between restarts; must be ≥ <see cref="RestartDelay"/>. Default 60 s.</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Describes the settings.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ MaxViewers = {MaxViewers}, ViewerConnectTimeout = {ViewerConnectTimeout}, RestartDelay = {RestartDelay}, MaxRestartDelay = {MaxRestartDelay} }}");
}
