using System.Globalization;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Hosting;

/// <summary>How the signaling WebSocket reconnects after it drops (bound from <c>Kvs:Reconnect</c>); see <see cref="SignalingReconnectPolicy"/>.</summary>
public sealed class KvsReconnectOptions
{
    /// <summary>Whether the client reconnects at all. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The delay before the second attempt; must be ≥ 0. Default 100 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The largest delay between attempts; must be ≥ <see cref="BaseDelay"/>. Default 10 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest fraction of each delay removed at random, in [0, 1]. Default 0.5.</summary>
    public double JitterRatio { get; set; } = 0.5;

    /// <summary>
    /// Attempts per reconnect before the client gives up; must be ≥ 1. Default (null): no limit for a master (a device
    /// never gives up), 10 for a viewer.
    /// </summary>
    public int? MaxAttempts { get; set; }

    /// <summary>Describes the policy.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ Enabled = {Enabled}, BaseDelay = {BaseDelay}, MaxDelay = {MaxDelay}, JitterRatio = {JitterRatio}, MaxAttempts = {MaxAttempts?.ToString(CultureInfo.InvariantCulture) ?? "role default"} }}");

    /// <summary>The policy for a master (<paramref name="master"/>) or a viewer.</summary>
    internal SignalingReconnectPolicy ToPolicy(bool master) => new()
    {
        Enabled = Enabled,
        BaseDelay = BaseDelay,
        MaxDelay = MaxDelay,
        JitterRatio = JitterRatio,
        MaxAttempts = MaxAttempts ?? (master ? int.MaxValue : new SignalingReconnectPolicy().MaxAttempts),
    };
}
