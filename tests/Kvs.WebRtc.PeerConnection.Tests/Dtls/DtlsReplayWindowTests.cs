using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsReplayWindowTests
{
    [Test]
    public void IsReplay_SeenAndTooOldSequences_AreReplays()
    {
        var window = new DtlsReplayWindow();
        Assert.That(window.IsReplay(5), Is.False);
        window.Accept(5);
        window.Accept(100);
        Assert.Multiple(() =>
        {
            Assert.That(window.IsReplay(100), Is.True, "duplicate");
            Assert.That(window.IsReplay(5), Is.True, "left of the 64-entry window");
            Assert.That(window.IsReplay(37), Is.False, "inside the window, unseen");
            Assert.That(window.IsReplay(36), Is.True, "exactly 64 behind");
            Assert.That(window.IsReplay(101), Is.False);
        });
        window.Accept(37);
        Assert.That(window.IsReplay(37), Is.True);
    }

    [Test]
    public void Accept_LargeJump_ResetsWindow()
    {
        var window = new DtlsReplayWindow();
        window.Accept(1);
        window.Accept(1_000_000);
        Assert.That(window.IsReplay(999_999), Is.False);
        Assert.That(window.IsReplay(1_000_000), Is.True);
    }
}
