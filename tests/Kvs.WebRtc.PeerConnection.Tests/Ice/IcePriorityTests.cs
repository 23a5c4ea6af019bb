using NUnit.Framework;
using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

[TestFixture]
public sealed class IcePriorityTests
{
    // (2^24)*type + (2^8)*local + (256 - component), RFC 8445 §5.1.2.1, with the §5.1.2.2 type preferences.
    [TestCase(0, 65535, 1, 2130706431u)]
    [TestCase(0, 65535, 2, 2130706430u)]
    [TestCase(2, 65535, 1, 1862270975u)]
    [TestCase(1, 65535, 1, 1694498815u)]
    [TestCase(3, 65535, 1, 16777215u)]
    [TestCase(0, 32542, 1, 2122260223u)] // a Chromium host candidate
    [TestCase(1, 32542, 1, 1686052607u)]
    public void Compute_KnownInputs_MatchesRfcFormula(int typeValue, int localPreference, int component, uint expected)
    {
        var type = (IceCandidateType)typeValue; // 0 host, 1 srflx, 2 prflx, 3 relay
        Assert.That(IcePriority.Compute(type, localPreference, component), Is.EqualTo(expected));
    }

    [Test]
    public void Pair_ControllingHigher_MatchesRfcFormula()
    {
        // G = 2130706431 (host), D = 1694498815 (srflx): 2^32*D + 2*G + 1.
        const ulong expected = (1694498815UL << 32) + (2UL * 2130706431) + 1;
        Assert.That(IcePriority.Pair(2130706431, 1694498815), Is.EqualTo(expected));
        Assert.That(IcePriority.Pair(1694498815, 2130706431), Is.EqualTo(expected - 1), "G < D drops the tie bit");
    }

    [Test]
    public void Pair_EqualPriorities_NoTieBit()
    {
        Assert.That(IcePriority.Pair(100, 100), Is.EqualTo((100UL << 32) + 200));
    }

    [Test]
    public void LocalPreference_Ipv6PreferredAndEarlierInterfacesFirst()
    {
        var v6 = IcePriority.LocalPreference(IPAddress.Parse("2001:db8::1"), 0);
        var v6Second = IcePriority.LocalPreference(IPAddress.Parse("2001:db8::2"), 1);
        var v4 = IcePriority.LocalPreference(IPAddress.Parse("10.0.0.1"), 0);
        var v4Second = IcePriority.LocalPreference(IPAddress.Parse("10.0.0.2"), 1);

        Assert.That(new[] { v6, v6Second, v4, v4Second }, Is.Ordered.Descending);
        Assert.That(v6, Is.EqualTo(65535));
        Assert.That(IcePriority.LocalPreference(IPAddress.Parse("10.0.0.1"), 10_000), Is.InRange(1, 65535));
    }

    [Test]
    public void Compute_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute(IceCandidateType.Host, 65536, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute(IceCandidateType.Host, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.Compute(IceCandidateType.Host, 1, 257));
    }

    [Test]
    public void Foundation_SameTypeBaseServerAndTransport_Equal_OtherwiseDifferent()
    {
        var ip = IPAddress.Parse("10.0.0.1");
        var server = IPAddress.Parse("198.51.100.1");
        var f = IceFoundation.Compute(IceCandidateType.ServerReflexive, ip, server, IceTransportProtocol.Udp);

        Assert.Multiple(() =>
        {
            Assert.That(IceFoundation.Compute(IceCandidateType.ServerReflexive, IPAddress.Parse("10.0.0.1"), server, IceTransportProtocol.Udp), Is.EqualTo(f));
            Assert.That(IceFoundation.Compute(IceCandidateType.Host, ip, null, IceTransportProtocol.Udp), Is.Not.EqualTo(f));
            Assert.That(IceFoundation.Compute(IceCandidateType.ServerReflexive, IPAddress.Parse("10.0.0.2"), server, IceTransportProtocol.Udp), Is.Not.EqualTo(f));
            Assert.That(IceFoundation.Compute(IceCandidateType.ServerReflexive, ip, IPAddress.Parse("198.51.100.2"), IceTransportProtocol.Udp), Is.Not.EqualTo(f));
            Assert.That(IceFoundation.Compute(IceCandidateType.ServerReflexive, ip, server, IceTransportProtocol.Tcp), Is.Not.EqualTo(f));
            Assert.That(f.Length, Is.InRange(1, 32));
            Assert.That(IceCredentials.IsIceString(f, 1, 32), Is.True);
        });
    }
}
