using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Stun;

[TestFixture]
public sealed class StunMutationTests
{
    private const int Iterations = 20_000;

    [Test]
    public void TryParse_SeededMutationsOfValidMessages_NeverThrowAndNeverAcceptCorruptedFingerprints()
    {
        var seeds = new[]
        {
            Rfc5769Vectors.Request,
            Rfc5769Vectors.ResponseIPv4,
            Rfc5769Vectors.ResponseIPv6,
            Rfc5769Vectors.LongTermRequest,
            BuildTurnMessage(),
        };
        var random = new Random(5769);
        var parsed = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var mutated = Mutate(seed, random);
            var fingerprintOk = false;
            Assert.DoesNotThrow(() => fingerprintOk = Exercise(mutated, ref parsed));

            // Every seed carries FINGERPRINT but the long-term one; a changed message must never pass it.
            if (fingerprintOk && !mutated.AsSpan().SequenceEqual(seed))
            {
                Assert.Fail($"iteration {i}: a mutated message passed the fingerprint check");
            }
        }

        // Many mutants stay structurally valid (flips inside values) and must still parse.
        Assert.That(parsed, Is.GreaterThan(Iterations / 20));
    }

    [Test]
    public void VerifyFingerprint_SingleBitFlipsAnywhereBeforeIt_AlwaysFail()
    {
        var original = Rfc5769Vectors.ResponseIPv6;
        for (var bit = 0; bit < (original.Length - 4) * 8; bit++)
        {
            var bytes = (byte[])original.Clone();
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            if (StunMessage.TryParse(bytes, out var message, out _) && message.VerifyFingerprint())
            {
                Assert.Fail($"bit {bit} flipped and the fingerprint still verified");
            }
        }
    }

    private static bool Exercise(byte[] data, ref int parsed)
    {
        if (!StunMessage.TryParse(data, out var message, out var error))
        {
            Assert.That(error, Is.Not.EqualTo(StunParseError.None));
            return false;
        }

        parsed++;
        Span<ushort> unknown = stackalloc ushort[8];
        _ = message.GetUnknownComprehensionRequired(unknown);
        foreach (var attribute in message.GetAttributes())
        {
            _ = attribute.Value.Length;
        }

        _ = message.TryGetXorAddress(StunAttributeType.XorMappedAddress, out _);
        _ = message.TryGetXorAddress(StunAttributeType.XorPeerAddress, out _);
        _ = message.TryGetAddress(StunAttributeType.MappedAddress, out _);
        _ = message.TryGetErrorCode(out _, out _);
        _ = message.TryGetString(StunAttributeType.Username, out _);
        _ = message.TryGetLifetime(out _);
        _ = message.TryGetChannelNumber(out _);
        _ = message.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt"u8);
        _ = message.VerifyMessageIntegritySha256("k"u8);
        return message.VerifyFingerprint();
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0: // flip 1-4 random bits
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // append garbage, fix up the length field so the attribute walk sees it
            {
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                var longer = bytes.Concat(extra).ToArray();
                var length = longer.Length - 20;
                longer[2] = (byte)(length >> 8);
                longer[3] = (byte)length;
                return longer;
            }

            case 3: // random attribute length field
            {
                var at = 20 + (4 * random.Next((bytes.Length - 20) / 4));
                if (at + 4 <= bytes.Length)
                {
                    bytes[at + 2] = (byte)random.Next(256);
                    bytes[at + 3] = (byte)random.Next(256);
                }

                return bytes;
            }

            case 4: // random header length
                bytes[2] = (byte)random.Next(256);
                bytes[3] = (byte)(random.Next(64) * 4);
                return bytes;
            default: // overwrite a random run with random bytes
            {
                var start = random.Next(bytes.Length);
                var span = bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 16)));
                random.NextBytes(span);
                return bytes;
            }
        }
    }

    private static byte[] BuildTurnMessage()
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), TransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(IPAddress.Parse("fe80::1"), 4000));
        writer.AddAttribute(StunAttributeType.Data, [9, 8, 7]);
        writer.AddErrorCode(401, "Unauthorized");
        writer.AddLifetime(TimeSpan.FromMinutes(10));
        writer.AddChannelNumber(0x4000);
        writer.AddMessageIntegrity([1, 2, 3]);
        writer.AddMessageIntegritySha256([1, 2, 3]);
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }
}
