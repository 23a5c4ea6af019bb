using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsHandshakeReassemblerTests
{
    [Test]
    public void Add_OverlappingOutOfOrderFragments_ReassemblesMessage()
    {
        var reassembler = new DtlsHandshakeReassembler();
        var body = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        Assert.That(reassembler.Add(0, 11, 100, 0, 60, body.AsSpan(60, 40), 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Accepted));
        Assert.That(reassembler.TryTake(0, out _, out _, out _), Is.False);
        reassembler.Add(0, 11, 100, 0, 0, body.AsSpan(0, 30), 0);
        reassembler.Add(0, 11, 100, 0, 20, body.AsSpan(20, 45), 0);
        Assert.That(reassembler.TryTake(0, out var type, out var result, out _), Is.True);
        Assert.That(type, Is.EqualTo(11));
        Assert.That(result, Is.EqualTo(body));
    }

    [Test]
    public void Add_OldFarAheadOversizedOrInconsistent_IsNotBuffered()
    {
        var reassembler = new DtlsHandshakeReassembler();
        Assert.Multiple(() =>
        {
            Assert.That(reassembler.Add(3, 1, 10, 2, 0, new byte[10], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Old));
            Assert.That(reassembler.Add(3, 1, 10, 3 + DtlsHandshakeReassembler.Window, 0, new byte[10], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Dropped));
            Assert.That(reassembler.Add(3, 1, DtlsHandshakeReassembler.MaxMessageLength + 1, 3, 0, new byte[10], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Dropped));
            Assert.That(reassembler.Add(3, 1, 10, 3, 5, new byte[10], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Dropped), "past the message end");
            Assert.That(reassembler.Add(3, 1, 10, 3, 0, new byte[4], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Accepted));
            Assert.That(reassembler.Add(3, 2, 10, 3, 4, new byte[4], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Dropped), "type changed");
            Assert.That(reassembler.Add(3, 1, 12, 3, 4, new byte[4], 0), Is.EqualTo(DtlsHandshakeReassembler.Result.Dropped), "length changed");
        });
    }
}
