using Kvs.WebRtc.PeerConnection.Srtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Srtp;

[TestFixture]
public sealed class SrtpReplayWindowTests
{
    [Test]
    public void IsReplay_DuplicatesAndIndicesOlderThanTheWindow_AreReplays()
    {
        var window = new SrtpReplayWindow();
        Assert.That(window.IsReplay(10), Is.False);
        window.Accept(10);
        window.Accept(10 + SrtpReplayWindow.WindowSize);
        Assert.Multiple(() =>
        {
            Assert.That(SrtpReplayWindow.WindowSize, Is.GreaterThanOrEqualTo(1024), "wide enough for NACK/RTX resends");
            Assert.That(window.IsReplay(10 + SrtpReplayWindow.WindowSize), Is.True);
            Assert.That(window.IsReplay(10), Is.True, "older than the window");
            Assert.That(window.IsReplay(11), Is.False, "the oldest index still in the window");
            Assert.That(window.IsReplay(11 + SrtpReplayWindow.WindowSize), Is.False);
        });
    }

    [Test]
    public void Accept_LateBy500_AcceptedOnceThenReplay()
    {
        var window = new SrtpReplayWindow();
        for (ulong i = 1000; i < 1600; i++)
        {
            if (i != 1050)
            {
                window.Accept(i);
            }
        }

        Assert.That(window.IsReplay(1050), Is.False);
        window.Accept(1050);
        Assert.Multiple(() =>
        {
            Assert.That(window.IsReplay(1050), Is.True);
            Assert.That(window.IsReplay(1599), Is.True);
            Assert.That(window.IsReplay(1600), Is.False);
            Assert.That(window.Highest, Is.EqualTo(1599UL));
        });
    }

    [Test]
    public void Accept_WindowSlidesOverUnseenSlots_TheyAreNotReplays()
    {
        var window = new SrtpReplayWindow();
        window.Accept(0);
        window.Accept(5);
        window.Accept(5 + SrtpReplayWindow.WindowSize - 1); // slides by 1,023: index 5 is the oldest in the window
        Assert.Multiple(() =>
        {
            Assert.That(window.IsReplay(5), Is.True, "still in the window");
            Assert.That(window.IsReplay(6), Is.False);
            Assert.That(window.IsReplay(5 + SrtpReplayWindow.WindowSize - 2), Is.False);
            Assert.That(window.IsReplay(0), Is.True, "out of the window");
        });

        window.Accept(6 + SrtpReplayWindow.WindowSize); // index 5 leaves; its slot now stands for 5 + 1024, unseen
        Assert.Multiple(() =>
        {
            Assert.That(window.IsReplay(5 + SrtpReplayWindow.WindowSize), Is.False);
            Assert.That(window.IsReplay(5), Is.True, "too old");
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
