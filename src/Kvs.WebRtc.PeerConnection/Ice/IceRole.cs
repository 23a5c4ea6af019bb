namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>The ICE role (RFC 8445 §6.1.1): the controlling agent nominates, the controlled agent follows.</summary>
internal enum IceRole
{
    /// <summary>Nominates the pair to use (the offerer, for full ICE on both sides).</summary>
    Controlling,

    /// <summary>Accepts the controlling agent's nomination (the answerer).</summary>
    Controlled,
}
