namespace Kvs.WebRtc.Testing.Network;

/// <summary>How a NAT picks the public endpoint of an outbound flow (RFC 4787 §4.1).</summary>
public enum NatMappingBehavior
{
    /// <summary>One public endpoint per private endpoint, whatever the destination ("full cone"-like; server-reflexive candidates work).</summary>
    EndpointIndependent,

    /// <summary>A new public endpoint per destination address and port ("symmetric"; peers learn it as peer-reflexive).</summary>
    AddressAndPortDependent,
}
