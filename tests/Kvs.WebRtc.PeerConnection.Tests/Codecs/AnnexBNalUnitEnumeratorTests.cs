using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class AnnexBNalUnitEnumeratorTests
{
    private static List<byte[]> Split(byte[] data)
    {
        var nals = new List<byte[]>();
        foreach (var nal in new AnnexBNalUnitEnumerator(data))
        {
            nals.Add(nal.ToArray());
        }

        return nals;
    }

    [Test]
    public void MoveNext_MixedStartCodesAndTrailingZeros_YieldsNalUnits()
    {
        byte[] data = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0, 0, 0];
        Assert.That(Split(data), Is.EqualTo(new[] { new byte[] { 0x67, 1, 2 }, [0x68, 3], [0x65, 4, 5] }));
    }

    [Test]
    public void MoveNext_NoStartCode_WholeBufferIsOneNal()
    {
        Assert.That(Split([0x65, 1, 2]), Is.EqualTo(new[] { new byte[] { 0x65, 1, 2 } }));
    }

    [Test]
    public void MoveNext_OnlyStartCodesAndZeros_YieldsNothing()
    {
        Assert.That(Split([0, 0, 1, 0, 0, 0, 1, 0, 0]), Is.Empty);
        Assert.That(Split([]), Is.Empty);
    }

    [Test]
    public void IsKeyFrame_H264AccessUnits()
    {
        Assert.That(H264AccessUnit.IsKeyFrame([0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 1, 0, 0, 1, 0x65, 1]), Is.True);
        Assert.That(H264AccessUnit.IsKeyFrame([0, 0, 0, 1, 0x41, 1]), Is.False);
        Assert.That(H265AccessUnit.IsKeyFrame([0, 0, 0, 1, 0x26, 1, 5]), Is.True, "IDR_W_RADL");
        Assert.That(H265AccessUnit.IsKeyFrame([0, 0, 0, 1, 0x2A, 1, 5]), Is.True, "CRA");
        Assert.That(H265AccessUnit.IsKeyFrame([0, 0, 0, 1, 0x02, 1, 5]), Is.False, "TRAIL_R");
    }
}
