namespace Kvs.WebRtc.Testing.Network;

/// <summary>Which inbound packets a NAT lets through a mapping (RFC 4787 §5).</summary>
public enum NatFilteringBehavior
{
    /// <summary>Any source may use an existing mapping (full cone).</summary>
    EndpointIndependent,

    /// <summary>Only sources whose address the private host has sent to (restricted cone).</summary>
    AddressDependent,

    /// <summary>Only the exact address and port the private host has sent to (port-restricted / symmetric).</summary>
    AddressAndPortDependent,
}
