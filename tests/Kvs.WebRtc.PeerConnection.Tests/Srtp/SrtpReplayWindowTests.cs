using Kvs.WebRtc.PeerConnection.Srtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Srtp;

[TestFixture]
public sealed class SrtpReplayWindowTests
{
    [Test]
    public void IsReplay_DuplicatesAndIndicesOlderThan64_AreReplays()
    {
        var window = new SrtpReplayWindow();
        Assert.That(window.IsReplay(10), Is.False);
        window.Accept(10);
        window.Accept(80);
        Assert.Multiple(() =>
        {
            Assert.That(window.IsReplay(80), Is.True);
            Assert.That(window.IsReplay(10), Is.True);
            Assert.That(window.IsReplay(17), Is.False);
            Assert.That(window.IsReplay(16), Is.True);
            Assert.That(window.IsReplay(81), Is.False);
        });
    }

    [Test]
    public void EstimateIndex_NearWrap_PicksRocThatMinimisesDistance()
    {
        var stream = new SrtpStream();
        stream.Update(65500, 0);
        Assert.That(stream.EstimateIndex(10, out var roc), Is.EqualTo((1UL << 16) | 10));
        Assert.That(roc, Is.EqualTo(1));
        stream.Update(10, 1);
        Assert.That(stream.EstimateIndex(65530, out roc), Is.EqualTo(65530UL));
        Assert.That(roc, Is.EqualTo(0), "a late packet from before the wrap");
    }
}
