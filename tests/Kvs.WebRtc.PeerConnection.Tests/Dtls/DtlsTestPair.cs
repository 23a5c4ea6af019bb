using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>Two in-memory DTLS endpoints and a bounded pump that moves datagrams and advances time to the next deadline.</summary>
internal sealed class DtlsTestPair : IDisposable
{
    private readonly byte[] _buffer = new byte[70000];

    public DtlsTestPair(DtlsOptions? clientOptions = null, DtlsOptions? serverOptions = null, DtlsFingerprint? clientExpects = null, DtlsFingerprint? serverExpects = null)
    {
        ClientCertificate = DtlsCertificate.Generate();
        ServerCertificate = DtlsCertificate.Generate();
        Client = new DtlsConnection(DtlsRole.Client, ClientCertificate, [clientExpects ?? ServerCertificate.Fingerprint], clientOptions);
        Server = new DtlsConnection(DtlsRole.Server, ServerCertificate, [serverExpects ?? ClientCertificate.Fingerprint], serverOptions);
    }

    public DtlsCertificate ClientCertificate { get; }

    public DtlsCertificate ServerCertificate { get; }

    public DtlsConnection Client { get; }

    public DtlsConnection Server { get; }

    public TimeSpan Now { get; set; }

    /// <summary>Called for every datagram in flight; return null to drop it, or replacement bytes.</summary>
    public Func<bool, byte[], byte[]?>? Filter { get; set; }

    public List<byte[]> ClientToServer { get; } = [];

    public List<byte[]> ServerToClient { get; } = [];

    /// <summary>Moves datagrams until both are connected (or one is terminal), at most <paramref name="maxSteps"/> rounds.</summary>
    public bool Handshake(int maxSteps = 200)
    {
        Client.Start(Now);
        Server.Start(Now);
        for (var i = 0; i < maxSteps; i++)
        {
            if (Client.State == DtlsState.Connected && Server.State == DtlsState.Connected && Client.PendingTransmitCount == 0 && Server.PendingTransmitCount == 0)
            {
                return true;
            }

            if (Client.State is DtlsState.Failed or DtlsState.Closed || Server.State is DtlsState.Failed or DtlsState.Closed)
            {
                Exchange();
                return false;
            }

            if (!Exchange())
            {
                var next = Min(Client.NextTimeout, Server.NextTimeout);
                if (next is null)
                {
                    return Client.State == DtlsState.Connected && Server.State == DtlsState.Connected;
                }

                Now = next.Value > Now ? next.Value : Now;
                Client.HandleTimeout(Now);
                Server.HandleTimeout(Now);
            }
        }

        return false;
    }

    /// <summary>Delivers everything queued in both directions once; false when nothing moved.</summary>
    public bool Exchange()
    {
        var moved = false;
        while (Client.TryPollTransmit(_buffer, TimeSpan.Zero, out var n))
        {
            moved = true;
            var datagram = _buffer.AsSpan(0, n).ToArray();
            ClientToServer.Add(datagram);
            var delivered = Filter is null ? datagram : Filter(true, datagram);
            if (delivered is not null)
            {
                Server.HandleInput(delivered, Now);
            }
        }

        while (Server.TryPollTransmit(_buffer, TimeSpan.Zero, out var n))
        {
            moved = true;
            var datagram = _buffer.AsSpan(0, n).ToArray();
            ServerToClient.Add(datagram);
            var delivered = Filter is null ? datagram : Filter(false, datagram);
            if (delivered is not null)
            {
                Client.HandleInput(delivered, Now);
            }
        }

        return moved;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        ClientCertificate.Dispose();
        ServerCertificate.Dispose();
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}
