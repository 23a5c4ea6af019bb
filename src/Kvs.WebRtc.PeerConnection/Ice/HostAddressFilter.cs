namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Which local addresses <see cref="IDatagramSocketFactory.GetHostAddresses"/> should list.</summary>
/// <param name="IncludeLoopback">List loopback addresses (real interfaces only: a virtual network's hosts use loopback-range addresses as stand-ins and always list them).</param>
/// <param name="IncludeIPv6">List IPv6 addresses.</param>
/// <param name="IncludeLinkLocalIPv6">List link-local IPv6 (fe80::/10) addresses.</param>
internal readonly record struct HostAddressFilter(bool IncludeLoopback, bool IncludeIPv6, bool IncludeLinkLocalIPv6);
