using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.Dtls;

/// <summary>
/// DTLS 1.2 application-data records of 1,200 bytes (AES-128-GCM): seal alone and seal+open, side by side with raw
/// <see cref="AesGcm"/> encrypt and encrypt+decrypt of the same 1,200 bytes. MB/s = 1200 / mean time.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet releases the fields in [GlobalCleanup].
public class DtlsRecordBenchmarks
{
    private const int PayloadLength = 1200;
    private readonly byte[] _payload = new byte[PayloadLength];
    private readonly byte[] _datagram = new byte[PayloadLength + 64];
    private readonly byte[] _received = new byte[DtlsConnection.MaxApplicationDataLength];
    private readonly byte[] _ciphertext = new byte[PayloadLength];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _aad = new byte[13];
    private DtlsCertificate _clientCertificate = null!;
    private DtlsCertificate _serverCertificate = null!;
    private DtlsConnection _client = null!;
    private DtlsConnection _server = null!;
    private AesGcm _aes = null!;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_payload);
        _clientCertificate = DtlsCertificate.Generate();
        _serverCertificate = DtlsCertificate.Generate();
        (_client, _server) = DtlsHandshakeBenchmarks.Connect(_clientCertificate, _serverCertificate);
        _aes = new AesGcm(RandomNumberGenerator.GetBytes(16), 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        _clientCertificate.Dispose();
        _serverCertificate.Dispose();
        _aes.Dispose();
    }

    [Benchmark(Description = "DTLS seal 1200 B")]
    public int Seal()
    {
        _client.TrySealApplicationData(_payload, _datagram, out var written);
        return written;
    }

    [Benchmark(Description = "DTLS seal+open 1200 B")]
    public int SealOpen()
    {
        _client.TrySealApplicationData(_payload, _datagram, out var written);
        _server.HandleInput(_datagram.AsSpan(0, written), TimeSpan.Zero);
        _server.TryReadApplicationData(_received, out var read);
        return read;
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm encrypt 1200 B")]
    public byte RawEncrypt()
    {
        _nonce[11] = (byte)++_counter;
        _aes.Encrypt(_nonce, _payload, _ciphertext, _tag, _aad);
        return _tag[0];
    }

    [Benchmark(Description = "raw AesGcm encrypt+decrypt 1200 B")]
    public byte RawEncryptDecrypt()
    {
        _nonce[11] = (byte)++_counter;
        _aes.Encrypt(_nonce, _payload, _ciphertext, _tag, _aad);
        _aes.Decrypt(_nonce, _ciphertext, _tag, _received.AsSpan(0, PayloadLength), _aad);
        return _received[0];
    }
}
#pragma warning restore CA1001
