using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>Lenient base64 (<see cref="LenientBase64"/>): every alphabet and padding variant the service accepts.</summary>
[TestFixture]
public sealed class LenientBase64Tests
{
    [Test]
    public void DecodeRented_AllFourVariants_DecodeToTheSameBytes()
    {
        var bytes = new byte[] { 0xfb, 0xff, 0xbf, 0x00, 0x41 };
        var standard = Convert.ToBase64String(bytes);
        var variants = new[] { standard, standard.TrimEnd('='), standard.Replace('+', '-').Replace('/', '_'), standard.Replace('+', '-').Replace('/', '_').TrimEnd('=') };

        foreach (var variant in variants)
        {
            var rented = LenientBase64.DecodeRented(variant, out var length);
            Assert.That(rented, Is.Not.Null, variant);
            Assert.That(rented.AsSpan(0, length).ToArray(), Is.EqualTo(bytes), variant);
        }
    }

    [TestCase("YQ=a")]
    [TestCase("Y")]
    [TestCase("Y*==")]
    public void DecodeRented_Invalid_ReturnsNull(string text)
    {
        Assert.That(LenientBase64.DecodeRented(text, out _), Is.Null);
    }
}
