namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Configuration of a <see cref="ChannelType.SingleMaster"/> channel (AWS shape <c>SingleMasterConfiguration</c>).</summary>
public sealed class SingleMasterConfiguration
{
    /// <summary>
    /// How long, in seconds, the service buffers an undelivered message for a disconnected peer: 5–120,
    /// the service default is 60 when omitted.
    /// </summary>
    public int? MessageTtlSeconds { get; init; }
}
