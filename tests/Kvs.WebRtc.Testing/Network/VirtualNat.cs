using System.Net;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// A NAT in front of the hosts added behind it: outbound packets get its public address and a mapped port; inbound
/// packets to a mapped port are translated back if the filtering lets them through. Mappings never expire. Hosts behind
/// the same NAT reach each other directly on their private addresses; sending to the NAT's own public address hairpins.
/// Guarded by the network's lock.
/// </summary>
internal sealed class VirtualNat
{
    private const int FirstPublicPort = 40000;

    private readonly VirtualNetwork _network;
    private readonly Dictionary<(IPEndPoint Private, IPEndPoint? Remote), Binding> _byFlow = [];
    private readonly Dictionary<int, Binding> _byPort = [];
    private int _nextPort = FirstPublicPort;
    private long _filtered;
    private long _noMapping;

    internal VirtualNat(VirtualNetwork network, IPAddress publicAddress, NatMappingBehavior mapping, NatFilteringBehavior filtering)
    {
        _network = network;
        PublicAddress = publicAddress;
        Mapping = mapping;
        Filtering = filtering;
    }

    /// <summary>The public (outside) address.</summary>
    public IPAddress PublicAddress { get; }

    /// <summary>The mapping behaviour.</summary>
    public NatMappingBehavior Mapping { get; }

    /// <summary>The filtering behaviour.</summary>
    public NatFilteringBehavior Filtering { get; }

    /// <summary>Mappings created so far.</summary>
    public int MappingCount
    {
        get
        {
            lock (_network.Gate)
            {
                return _byPort.Count;
            }
        }
    }

    /// <summary>Inbound packets refused by the filtering.</summary>
    public long FilteredCount
    {
        get
        {
            lock (_network.Gate)
            {
                return _filtered;
            }
        }
    }

    /// <summary>Inbound packets to a port without a mapping.</summary>
    public long NoMappingCount
    {
        get
        {
            lock (_network.Gate)
            {
                return _noMapping;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"NAT {PublicAddress} ({Mapping}, {Filtering})";

    // Under the network lock: translates the source of an outbound packet, creating the mapping on first use.
    internal IPEndPoint Outbound(IPEndPoint privateSource, IPEndPoint remote)
    {
        var key = (privateSource, Mapping == NatMappingBehavior.EndpointIndependent ? null : remote);
        if (!_byFlow.TryGetValue(key, out var binding))
        {
            binding = new Binding(privateSource, new IPEndPoint(PublicAddress, _nextPort++));
            _byFlow[key] = binding;
            _byPort[binding.Public.Port] = binding;
        }

        binding.Contacted.Add(remote);
        return binding.Public;
    }

    // Under the network lock: the private destination of an inbound packet, or why it is dropped.
    internal bool TryInbound(int publicPort, IPEndPoint remote, out IPEndPoint? privateDestination, out DropReason reason)
    {
        privateDestination = null;
        if (!_byPort.TryGetValue(publicPort, out var binding))
        {
            _noMapping++;
            reason = DropReason.NatNoMapping;
            return false;
        }

        var allowed = Filtering switch
        {
            NatFilteringBehavior.EndpointIndependent => true,
            NatFilteringBehavior.AddressDependent => binding.Contacted.Any(c => c.Address.Equals(remote.Address)),
            _ => binding.Contacted.Contains(remote),
        };
        if (!allowed)
        {
            _filtered++;
            reason = DropReason.NatFiltered;
            return false;
        }

        privateDestination = binding.Private;
        reason = default;
        return true;
    }

    private sealed class Binding(IPEndPoint privateEndPoint, IPEndPoint publicEndPoint)
    {
        public IPEndPoint Private { get; } = privateEndPoint;

        public IPEndPoint Public { get; } = publicEndPoint;

        public HashSet<IPEndPoint> Contacted { get; } = [];
    }
}
