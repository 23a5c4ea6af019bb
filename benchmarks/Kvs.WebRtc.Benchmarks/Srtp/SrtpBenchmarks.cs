using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Srtp;

namespace Kvs.WebRtc.Benchmarks.Srtp;

/// <summary>SRTP protect and protect+unprotect of 1,200-byte RTP packets (12-byte header + 1,188 payload), per profile.</summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class SrtpBenchmarks
{
    private const int PacketLength = 1200;
    private readonly byte[] _buffer = new byte[PacketLength + 16];
    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private ushort _sequence;

    [Params("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM")]
    public string Profile { get; set; } = "AES_CM_128_HMAC_SHA1_80";

    [GlobalSetup]
    public void Setup()
    {
        var profile = Profile == "AEAD_AES_128_GCM" ? SrtpProfile.AeadAes128Gcm : SrtpProfile.Aes128CmHmacSha1_80;
        var key = RandomNumberGenerator.GetBytes(SrtpProfileInfo.MasterKeyLength(profile));
        var salt = RandomNumberGenerator.GetBytes(SrtpProfileInfo.MasterSaltLength(profile));
        _sender = new SrtpContext(profile, key, salt);
        _receiver = new SrtpContext(profile, key, salt);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Benchmark(Description = "SRTP protect 1200 B")]
    public int Protect()
    {
        WriteHeader();
        _sender.ProtectRtp(_buffer, PacketLength, out var n);
        return n;
    }

    [Benchmark(Description = "SRTP protect+unprotect 1200 B")]
    public int ProtectUnprotect()
    {
        WriteHeader();
        _sender.ProtectRtp(_buffer, PacketLength, out var n);
        _receiver.UnprotectRtp(_buffer.AsSpan(0, n), out var m);
        return m;
    }

    private void WriteHeader()
    {
        _buffer[0] = 0x80;
        _buffer[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(8), 0x1234);
    }
}
#pragma warning restore CA1001
