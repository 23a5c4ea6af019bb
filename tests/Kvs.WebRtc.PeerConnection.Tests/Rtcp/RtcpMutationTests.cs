using Kvs.WebRtc.PeerConnection.Rtcp;
using Kvs.WebRtc.PeerConnection.Tests.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpMutationTests
{
    private const int Iterations = 20_000;

    [Test]
    public void Parsers_SeededMutationsOfValidCompounds_NeverThrow()
    {
        var seeds = BuildSeeds();
        var random = new Random(4585);
        var parsedPackets = 0;
        var malformed = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var mutated = RtpMutationTests.Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                var reader = new RtcpCompoundReader(mutated);
                while (reader.TryReadNext(out _, out var packet))
                {
                    parsedPackets += Exercise(packet);
                }

                malformed += reader.IsMalformed ? 1 : 0;
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name} {e.Message} on {Convert.ToHexString(mutated)}");
            }
        }

        Assert.That(parsedPackets, Is.GreaterThan(Iterations / 2));
        Assert.That(malformed, Is.GreaterThan(Iterations / 100));
    }

    private static int Exercise(ReadOnlySpan<byte> packet)
    {
        var parsed = 0;
        if (RtcpSenderReport.TryParse(packet, out var sr))
        {
            parsed++;
            for (var i = 0; i < sr.ReportCount; i++)
            {
                _ = sr.GetReportBlock(i);
            }
        }

        if (RtcpReceiverReport.TryParse(packet, out var rr))
        {
            parsed++;
            for (var i = 0; i < rr.ReportCount; i++)
            {
                _ = rr.GetReportBlock(i);
            }
        }

        if (RtcpSourceDescription.TryParse(packet, out var sdes))
        {
            parsed++;
            var chunks = sdes.GetChunks();
            while (chunks.TryReadNext(out _, out _))
            {
            }

            Assert.That(chunks.IsMalformed, Is.False, "a validated SDES walks cleanly");
        }

        if (RtcpBye.TryParse(packet, out var bye))
        {
            parsed++;
            for (var i = 0; i < bye.SourceCount; i++)
            {
                _ = bye.GetSource(i);
            }
        }

        if (RtcpGenericNack.TryParse(packet, out var nack))
        {
            parsed++;
            var n = 0;
            foreach (var seq in nack.GetLostSequenceNumbers())
            {
                n++;
            }

            Assert.That(n, Is.LessThanOrEqualTo(nack.ItemCount * 17));
        }

        if (RtcpPictureLossIndication.TryParse(packet, out _))
        {
            parsed++;
        }

        if (RtcpFullIntraRequest.TryParse(packet, out var fir))
        {
            parsed++;
            for (var i = 0; i < fir.EntryCount; i++)
            {
                _ = fir.GetEntry(i);
            }
        }

        if (RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out var remb))
        {
            parsed++;
            for (var i = 0; i < remb.SsrcCount; i++)
            {
                _ = remb.GetSsrc(i);
            }
        }

        if (RtcpTransportFeedback.TryParse(packet, out var twcc))
        {
            parsed++;
            var reader = twcc.GetStatuses();
            var n = 0;
            var received = 0;
            while (reader.TryReadNext(out var status))
            {
                n++;
                received += status.Received ? 1 : 0;
            }

            Assert.That(n, Is.EqualTo(twcc.PacketStatusCount), "a validated feedback yields every status");
            Assert.That(received, Is.EqualTo(twcc.ReceivedCount));
        }

        return parsed;
    }

    private static List<byte[]> BuildSeeds()
    {
        var seeds = new List<byte[]> { RtcpSamples.Compound, RtcpSamples.ChromiumTwcc, RtcpSamples.TwccLargeDeltas, RtcpSamples.TwccOneBitVector };
        var buffer = new byte[1500];
        var n = RtcpSenderReport.Write(buffer, 1, 2, 3, 4, 5, [new RtcpReportBlock(9, 1, -2, 3, 4, 5, 6)]);
        n += RtcpSourceDescription.Write(buffer.AsSpan(n), [1, 2], "user@host"u8);
        n += RtcpBye.Write(buffer.AsSpan(n), [1], "bye"u8);
        seeds.Add(buffer[..n]);
        n = RtcpReceiverReport.Write(buffer, 1, []);
        n += RtcpGenericNack.Write(buffer.AsSpan(n), 1, 2, [1, 2, 5, 30, 31]);
        n += new RtcpPictureLossIndication(1, 2).Write(buffer.AsSpan(n));
        n += RtcpFullIntraRequest.Write(buffer.AsSpan(n), 1, [new RtcpFirEntry(2, 3)]);
        n += RtcpReceiverEstimatedMaxBitrate.Write(buffer.AsSpan(n), 1, 1_000_000, [2, 3]);
        seeds.Add(buffer[..n]);
        var input = Enumerable.Range(0, 60).Select(i => ((ushort)(i + (i / 7 * 3)), TimeSpan.FromMilliseconds(500 + (i * 7 % 90)))).ToList();
        seeds.AddRange(RtcpTransportFeedbackTests.BuildAll(input, 200).Packets);
        return seeds;
    }
}
