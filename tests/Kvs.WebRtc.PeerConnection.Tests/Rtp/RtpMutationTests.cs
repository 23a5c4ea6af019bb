using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtpMutationTests
{
    private const int Iterations = 20_000;

    [Test]
    public void TryParse_SeededMutationsOfValidPackets_NeverThrowAndStayInBounds()
    {
        byte[][] seeds = [ChromiumRtpSamples.OneByte, ChromiumRtpSamples.OneByteWithMarker, ChromiumRtpSamples.TwoByte, [0xA2, 0xEF, 0xFF, 0xFE, 0, 0, 0, 0xA0, 1, 2, 3, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0xAA, 0, 0, 2]];
        var random = new Random(3550);
        var parsed = 0;
        var rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var mutated = Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                if (!RtpHeader.TryParse(mutated, out var header))
                {
                    rejected++;
                    continue;
                }

                parsed++;
                Assert.That(header.HeaderLength + header.PayloadLength + header.PaddingLength, Is.EqualTo(mutated.Length));
                _ = header.GetPayload(mutated).Length;
                for (var c = 0; c < header.CsrcCount; c++)
                {
                    _ = header.GetCsrc(mutated, c);
                }

                var reader = header.GetExtensions(mutated);
                var guard = 0;
                while (reader.TryReadNext(out _, out _) && guard++ < 1000)
                {
                }

                Assert.That(guard, Is.LessThan(1000));
                _ = header.TryGetExtension(mutated, random.Next(0, 256), out _);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name} on {Convert.ToHexString(mutated)}");
            }
        }

        Assert.That(parsed, Is.GreaterThan(Iterations / 10));
        Assert.That(rejected, Is.GreaterThan(Iterations / 100));
    }

    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            default:
                var grown = new byte[bytes.Length + random.Next(1, 8)];
                bytes.CopyTo(grown, 0);
                random.NextBytes(grown.AsSpan(bytes.Length));
                return grown;
        }
    }
}
