using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>
/// DTLS 1.2: the record header and hello codecs directly, and whole connections (client and server, with and without
/// the cookie exchange) fed fuzzed datagrams, which reach every handshake message parser (certificate, key exchange,
/// certificate request/verify, finished, alerts, change cipher spec) through the connection's own dispatch.
/// </summary>
internal static class DtlsTargets
{
    private static readonly Lazy<DtlsCertificate> s_certificate = new(() => DtlsCertificate.Generate(TimeSpan.FromDays(30)));
    private static readonly Lazy<DtlsCertificate> s_peerCertificate = new(() => DtlsCertificate.Generate(TimeSpan.FromDays(30)));

    /// <summary>The local certificate of every harness connection (generated once per process).</summary>
    public static DtlsCertificate Certificate => s_certificate.Value;

    /// <summary>The certificate whose fingerprint the harness connections expect from their peer.</summary>
    public static DtlsCertificate PeerCertificate => s_peerCertificate.Value;

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new("dtls-messages", "first byte picks: DtlsRecordHeader.TryRead, DtlsClientHello.TryParse, DtlsServerHello.TryParse, DtlsHandshakeReassembler", Messages);
        yield return new("dtls-server", "DtlsConnection (server, no cookie exchange) fed length-prefixed datagrams", data => Connection(DtlsRole.Server, cookies: false, data));
        yield return new("dtls-server-cookie", "DtlsConnection (server, cookie exchange) fed length-prefixed datagrams", data => Connection(DtlsRole.Server, cookies: true, data));
        yield return new("dtls-client", "DtlsConnection (client, started) fed length-prefixed datagrams", data => Connection(DtlsRole.Client, cookies: true, data));
    }

    private static void Messages(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var body = data.AsSpan(1);
        switch (data[0] % 4)
        {
            case 0:
                _ = DtlsRecordHeader.TryRead(body, out _);
                break;
            case 1:
                if (DtlsClientHello.TryParse(body, out var clientHello))
                {
                    clientHello.Write(new DtlsWriter());
                }

                break;
            case 2:
                if (DtlsServerHello.TryParse(body, out var serverHello))
                {
                    serverHello.Write(new DtlsWriter());
                }

                break;
            default:
                Reassemble(body);
                break;
        }
    }

    // Fragments: [type][u24 length][u16 sequence][u24 offset][u8 fragment length][fragment]...
    private static void Reassemble(ReadOnlySpan<byte> data)
    {
        var reassembler = new DtlsHandshakeReassembler();
        var next = 0;
        while (data.Length >= 10)
        {
            var type = data[0];
            var length = (data[1] << 16) | (data[2] << 8) | data[3];
            var sequence = (data[4] << 8) | data[5];
            var offset = (data[6] << 16) | (data[7] << 8) | data[8];
            var fragmentLength = Math.Min(data[9], data.Length - 10);
            var fragment = data.Slice(10, fragmentLength);
            data = data[(10 + fragmentLength)..];
            _ = reassembler.Add(next, type, length, sequence, offset, fragment, 0);
            while (reassembler.TryTake(next, out _, out _, out _))
            {
                next++;
            }
        }
    }

    private static void Connection(DtlsRole role, bool cookies, byte[] data)
    {
        var options = new DtlsOptions { UseCookieExchange = cookies };
        using var connection = new DtlsConnection(role, Certificate, [PeerCertificate.Fingerprint], options);
        var now = TimeSpan.FromSeconds(1);
        connection.Start(now);
        var buffer = new byte[2048];
        Drain(connection, buffer);
        foreach (var datagram in FuzzInput.Split(data))
        {
            connection.HandleInput(datagram, now);
            Drain(connection, buffer);
            now += TimeSpan.FromMilliseconds(100);
            connection.HandleTimeout(now);
            Drain(connection, buffer);
        }

        connection.HandleTimeout(now + TimeSpan.FromSeconds(5));
        Drain(connection, buffer);
    }

    private static void Drain(DtlsConnection connection, byte[] buffer)
    {
        for (var i = 0; i < 1024 && connection.TryPollTransmit(buffer, TimeSpan.Zero, out _); i++)
        {
        }

        for (var i = 0; i < 1024 && connection.TryReadApplicationData(buffer, out _); i++)
        {
        }
    }
}
