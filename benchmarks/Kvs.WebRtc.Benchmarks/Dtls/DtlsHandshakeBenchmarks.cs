using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Benchmarks.Dtls;

/// <summary>A full DTLS 1.2 handshake (cookie exchange, ECDHE P-256, mutual ECDSA) between two in-memory endpoints.</summary>
[MemoryDiagnoser]
public class DtlsHandshakeBenchmarks
{
    private DtlsCertificate _clientCertificate = null!;
    private DtlsCertificate _serverCertificate = null!;

    [GlobalSetup]
    public void Setup()
    {
        _clientCertificate = DtlsCertificate.Generate();
        _serverCertificate = DtlsCertificate.Generate();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientCertificate.Dispose();
        _serverCertificate.Dispose();
    }

    [Benchmark(Description = "DTLS handshake in memory")]
    public bool Handshake()
    {
        var (client, server) = Connect(_clientCertificate, _serverCertificate);
        var state = client.State == DtlsState.Connected;
        client.Dispose();
        server.Dispose();
        return state;
    }

    /// <summary>Runs a handshake to completion by moving datagrams until both sides are connected.</summary>
    internal static (DtlsConnection Client, DtlsConnection Server) Connect(DtlsCertificate clientCertificate, DtlsCertificate serverCertificate)
    {
        var client = new DtlsConnection(DtlsRole.Client, clientCertificate, [serverCertificate.Fingerprint]);
        var server = new DtlsConnection(DtlsRole.Server, serverCertificate, [clientCertificate.Fingerprint]);
        var buffer = new byte[2048];
        client.Start(TimeSpan.Zero);
        for (var i = 0; i < 20 && (client.State != DtlsState.Connected || server.State != DtlsState.Connected); i++)
        {
            while (client.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                server.HandleInput(buffer.AsSpan(0, n), TimeSpan.Zero);
            }

            while (server.TryPollTransmit(buffer, TimeSpan.Zero, out var n))
            {
                client.HandleInput(buffer.AsSpan(0, n), TimeSpan.Zero);
            }
        }

        if (client.State != DtlsState.Connected || server.State != DtlsState.Connected)
        {
            throw new InvalidOperationException("Handshake did not complete.");
        }

        return (client, server);
    }
}
