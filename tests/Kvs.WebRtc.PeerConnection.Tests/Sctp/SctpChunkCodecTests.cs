using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

/// <summary>Each chunk codec on its own: write, read back through the chunk reader, and bad input rejected without throwing.</summary>
public sealed class SctpChunkCodecTests
{
    private delegate void WriteChunk(ref SctpPacketWriter writer);

    private static byte[] WriteOne(WriteChunk write, out SctpChunkType type, out byte flags)
    {
        var buffer = new byte[1200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, 7);
        write(ref writer);
        var length = writer.Finish();
        var reader = new SctpChunkReader(buffer.AsSpan(SctpPacket.CommonHeaderLength, length - SctpPacket.CommonHeaderLength));
        Assert.That(reader.TryReadNext(out var chunk), Is.True);
        Assert.That(reader.TryReadNext(out _), Is.False);
        Assert.That(reader.Malformed, Is.False);
        Assert.That(length % 4, Is.Zero, "chunks are padded to 4 bytes");
        type = chunk.Type;
        flags = chunk.Flags;
        return chunk.Value.ToArray();
    }

    [Test]
    public void Heartbeat_RoundTrips_AndRejectsOtherParameters()
    {
        byte[] info = [1, 2, 3, 4, 5];
        var value = WriteOne((ref SctpPacketWriter w) => HeartbeatChunk.Write(ref w, SctpChunkType.HeartbeatAck, info), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.HeartbeatAck));
        Assert.That(HeartbeatChunk.TryParse(value, out var heartbeat), Is.True);
        Assert.That(heartbeat.Info.ToArray(), Is.EqualTo(info));

        BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)SctpParameterType.StateCookie);
        Assert.That(HeartbeatChunk.TryParse(value, out _), Is.False, "not a Heartbeat Info parameter");
        Assert.That(HeartbeatChunk.TryParse([], out _), Is.False);
        Assert.That(HeartbeatChunk.TryParse([0, 1, 0, 40], out _), Is.False, "parameter length beyond the chunk");
    }

    [Test]
    public void Abort_RoundTripsFirstCause_AndParsesAnythingWithoutThrowing()
    {
        var value = WriteOne((ref SctpPacketWriter w) => AbortChunk.Write(ref w, SctpErrorCause.UserInitiatedAbort, "bye"u8), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.Abort));
        var abort = AbortChunk.Parse(value);
        Assert.That(abort.HasCause, Is.True);
        Assert.That(abort.Cause, Is.EqualTo((ushort)SctpErrorCause.UserInitiatedAbort));
        Assert.That(abort.CauseInfo.ToArray(), Is.EqualTo("bye"u8.ToArray()));

        Assert.That(AbortChunk.Parse([]).HasCause, Is.False);
        Assert.That(AbortChunk.Parse([0, 12, 0]).HasCause, Is.False, "truncated cause");
        Assert.That(AbortChunk.Parse([0, 12, 0, 2]).HasCause, Is.False, "cause length below its header");
    }

    [Test]
    public void Error_UnrecognizedChunk_QuotesTheChunkHeader()
    {
        var value = WriteOne((ref SctpPacketWriter w) => ErrorChunk.WriteUnrecognizedChunk(ref w, 0x7F, 0x03, 10), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.Error));
        Assert.That(ErrorChunk.TryParse(value, out var error), Is.True);
        Assert.That(error.Cause, Is.EqualTo((ushort)SctpErrorCause.UnrecognizedChunkType));
        Assert.That(error.CauseInfo.ToArray(), Is.EqualTo(new byte[] { 0x7F, 0x03, 0, 14 }), "type, flags, length of value plus header");
        Assert.That(ErrorChunk.TryParse([], out _), Is.False);
        Assert.That(ErrorChunk.TryParse([0, 6, 0, 9], out _), Is.False);
    }

    [Test]
    public void Shutdown_RoundTrips_AndRejectsShortValue()
    {
        var value = WriteOne((ref SctpPacketWriter w) => ShutdownChunk.Write(ref w, 0xDEADBEEF), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.Shutdown));
        Assert.That(ShutdownChunk.TryParse(value, out var shutdown), Is.True);
        Assert.That(shutdown.CumulativeTsnAck, Is.EqualTo(0xDEADBEEF));
        Assert.That(ShutdownChunk.TryParse([1, 2, 3], out _), Is.False);
    }

    [Test]
    public void CookieEcho_RoundTrips_AndRejectsEmpty()
    {
        byte[] cookie = [9, 8, 7, 6, 5, 4, 3];
        var value = WriteOne((ref SctpPacketWriter w) => CookieEchoChunk.Write(ref w, cookie), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.CookieEcho));
        Assert.That(CookieEchoChunk.TryParse(value, out var echo), Is.True);
        Assert.That(echo.Cookie.ToArray(), Is.EqualTo(cookie), "the chunk length excludes the padding");
        Assert.That(CookieEchoChunk.TryParse([], out _), Is.False);
    }

    [TestCase((byte)SctpChunkType.CookieAck, (byte)0)]
    [TestCase((byte)SctpChunkType.ShutdownAck, (byte)0)]
    [TestCase((byte)SctpChunkType.ShutdownComplete, AbortChunk.FlagTagReflected)]
    public void EmptyChunk_IsABareHeader(byte rawType, byte chunkFlags)
    {
        var chunkType = (SctpChunkType)rawType;
        var value = WriteOne((ref SctpPacketWriter w) => EmptyChunk.Write(ref w, chunkType, chunkFlags), out var type, out var flags);
        Assert.That((type, flags, value.Length), Is.EqualTo((chunkType, chunkFlags, 0)));
    }

    [Test]
    public void ForwardTsn_RoundTrips()
    {
        (ushort, ushort)[] streams = [(1, 10), (4, 0xFFFF)];
        var value = WriteOne((ref SctpPacketWriter w) => ForwardTsnChunk.Write(ref w, 1234, streams), out var type, out _);
        Assert.That(type, Is.EqualTo(SctpChunkType.ForwardTsn));
        Assert.That(value.Length + SctpPacket.ChunkHeaderLength, Is.EqualTo(ForwardTsnChunk.WrittenLength(2)));
        Assert.That(ForwardTsnChunk.TryParse(value, out var forward), Is.True);
        Assert.That(forward.NewCumulativeTsn, Is.EqualTo(1234u));
        Assert.That(forward.StreamCount, Is.EqualTo(2));
        Assert.That(forward.GetStream(0), Is.EqualTo(((ushort)1, (ushort)10)));
        Assert.That(forward.GetStream(1), Is.EqualTo(((ushort)4, (ushort)0xFFFF)));
        Assert.That(ForwardTsnChunk.TryParse(value.AsSpan(0, 6), out _), Is.False, "a half stream entry");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    public void OutgoingSsnResetRequest_RoundTripsWithPadding(int streamCount)
    {
        var streams = Enumerable.Range(0, streamCount).Select(i => (ushort)(i * 7)).ToArray();
        var value = WriteOne(
            (ref SctpPacketWriter w) =>
            {
                w.BeginChunk(SctpChunkType.ReConfig, 0);
                OutgoingSsnResetRequestParameter.Write(ref w, 11, 22, 33, streams);
                w.EndChunk();
            },
            out _,
            out _);
        Assert.That(value.Length, Is.EqualTo(OutgoingSsnResetRequestParameter.WrittenLength(streamCount)));
        var reader = new SctpParameterReader(value);
        Assert.That(reader.TryReadNext(out var parameterType, out var parameter), Is.True);
        Assert.That(parameterType, Is.EqualTo((ushort)SctpParameterType.OutgoingSsnResetRequest));
        Assert.That(OutgoingSsnResetRequestParameter.TryParse(parameter, out var request), Is.True);
        Assert.That((request.RequestSequence, request.ResponseSequence, request.LastAssignedTsn), Is.EqualTo((11u, 22u, 33u)));
        var parsed = new ushort[request.StreamCount];
        for (var i = 0; i < parsed.Length; i++)
        {
            parsed[i] = request.GetStream(i);
        }

        Assert.That(parsed, Is.EqualTo(streams));
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
        Assert.That(OutgoingSsnResetRequestParameter.TryParse(new byte[11], out _), Is.False);
    }

    [Test]
    public void ReconfigResponse_RoundTrips()
    {
        var value = WriteOne(
            (ref SctpPacketWriter w) =>
            {
                w.BeginChunk(SctpChunkType.ReConfig, 0);
                ReconfigResponseParameter.Write(ref w, 99, SctpReconfigResult.InProgress);
                w.EndChunk();
            },
            out _,
            out _);
        Assert.That(value.Length, Is.EqualTo(ReconfigResponseParameter.WrittenLength));
        var reader = new SctpParameterReader(value);
        Assert.That(reader.TryReadNext(out var parameterType, out var parameter), Is.True);
        Assert.That(parameterType, Is.EqualTo((ushort)SctpParameterType.ReconfigurationResponse));
        Assert.That(ReconfigResponseParameter.TryParse(parameter, out var response), Is.True);
        Assert.That((response.ResponseSequence, response.Result), Is.EqualTo((99u, SctpReconfigResult.InProgress)));
        Assert.That(ReconfigResponseParameter.TryParse(new byte[7], out _), Is.False);
        Assert.That(ReconfigResponseParameter.TryReadRequestSequence([0, 0, 1, 2], out var seq), Is.True);
        Assert.That(seq, Is.EqualTo(258u));
        Assert.That(ReconfigResponseParameter.TryReadRequestSequence([0, 0, 1], out _), Is.False);
    }

    [Test]
    public void EveryParser_SeededRandomValues_NeverThrow() => Assert.That(ParseRandomValues, Throws.Nothing);

    // 20,000 seeded random values through every chunk and parameter parser.
    private static void ParseRandomValues()
    {
        var random = new Random(14);
        for (var i = 0; i < 20_000; i++)
        {
            var value = new byte[random.Next(0, 48)];
            random.NextBytes(value);
            if (value.Length >= 4 && random.Next(2) == 0)
            {
                // Plausible parameter lengths reach the deeper paths more often.
                BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)random.Next(0, value.Length + 4));
            }

            _ = HeartbeatChunk.TryParse(value, out _);
            _ = AbortChunk.Parse(value);
            _ = ErrorChunk.TryParse(value, out _);
            _ = ShutdownChunk.TryParse(value, out _);
            _ = CookieEchoChunk.TryParse(value, out _);
            _ = ForwardTsnChunk.TryParse(value, out _);
            _ = SackChunk.TryParse(value, out _);
            _ = InitChunk.TryParse(value, out _);
            _ = ReconfigResponseParameter.TryParse(value, out _);
            if (OutgoingSsnResetRequestParameter.TryParse(value, out var request))
            {
                for (var s = 0; s < request.StreamCount; s++)
                {
                    _ = request.GetStream(s);
                }
            }
        }
    }
}
