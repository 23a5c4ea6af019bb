using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>
/// A coturn <c>turnserver</c> on 127.0.0.1 with free ports, a static long-term user, UDP/TCP and TLS listeners
/// (self-signed certificate generated here), its pidfile, userdb and log in a temp dir. Killed on dispose.
/// </summary>
internal sealed class CoturnServer : IAsyncDisposable
{
    public const string User = "kvs";
    public const string Password = "turn-secret";
    public const string Realm = "kvs.test";

    private Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private CoturnServer(Process process, string directory, int port, int tlsPort, int minRelayPort, int maxRelayPort, X509Certificate2 certificate)
    {
        _process = process;
        _directory = directory;
        Port = port;
        TlsPort = tlsPort;
        MinRelayPort = minRelayPort;
        MaxRelayPort = maxRelayPort;
        Certificate = certificate;
    }

    public int Port { get; }

    /// <summary>The <c>turn:</c> URI of the plain listener for <paramref name="transport"/> (<c>udp</c> or <c>tcp</c>).</summary>
    public string TurnUri(string transport = "udp") =>
        $"turn:127.0.0.1:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}?transport={transport}";

    public int TlsPort { get; }

    public int MinRelayPort { get; }

    public int MaxRelayPort { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The last lines coturn printed (bounded), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts coturn; <paramref name="extraArguments"/> are appended (e.g. short lifetimes).</summary>
    public static async Task<CoturnServer> StartAsync(CancellationToken cancellationToken, params string[] extraArguments)
    {
        var turnserver = ExternalTool.Require("turnserver", "/usr/bin/turnserver");
        var directory = Directory.CreateTempSubdirectory("kvs-coturn-").FullName;
        var certificate = CreateCertificate(directory, out var certPath, out var keyPath);
        var port = FreePort();
        var tlsPort = FreePort();

        // Outside Linux's ephemeral range (32768-60999), and randomised so parallel fixtures rarely collide.
        var minRelay = 61000 + (Random.Shared.Next(0, 40) * 100);
        var maxRelay = minRelay + 99;
        var start = new ProcessStartInfo(turnserver)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            $"--listening-port={port}", $"--tls-listening-port={tlsPort}",
            $"--min-port={minRelay}", $"--max-port={maxRelay}",
            "--lt-cred-mech", $"--user={User}:{Password}", $"--realm={Realm}",
            "--no-dtls", "--no-cli", "--allow-loopback-peers", "--fingerprint",
            "--log-file=stdout", "--simple-log", "--no-software-attribute",
            $"--pidfile={Path.Combine(directory, "turnserver.pid")}",
            $"--userdb={Path.Combine(directory, "turndb.sqlite")}",
            $"--cert={certPath}", $"--pkey={keyPath}",
        }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start");
        var server = new CoturnServer(process, directory, port, tlsPort, minRelay, maxRelay, certificate);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilListeningAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Kills coturn and starts it again on the same ports with the same arguments: every allocation, permission and
    /// channel is forgotten, as when a TURN server restarts mid-session.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var arguments = _process.StartInfo.ArgumentList.ToArray();
        var fileName = _process.StartInfo.FileName;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(cancellationToken);
        _process.Dispose();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Append("--- restarted ---");
        _process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start again");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone.
        }

        _process.Dispose();
        Certificate.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length > 64_000)
            {
                _log.Remove(0, 32_000);
            }

            _log.AppendLine(line);
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var token = timeout.Token;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"turnserver exited with {_process.ExitCode}:\n{Log}");
            }

            if (await TcpAcceptsAsync(Port, token) && await TcpAcceptsAsync(TlsPort, token) && await UdpAnswersBindingAsync(Port, token))
            {
                return;
            }

            try
            {
                await Task.Delay(100, token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"turnserver did not listen within 15 s:\n{Log}");
            }
        }
    }

    private static async Task<bool> TcpAcceptsAsync(int port, CancellationToken token)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> UdpAnswersBindingAsync(int port, CancellationToken token)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var request = new byte[64];
        var writer = new StunMessageWriter(request, StunMessageType.BindingRequest, TransactionId.NewRandom());
        await socket.SendAsync(request.AsMemory(0, writer.Length), SocketFlags.None, token);
        var response = new byte[1500];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
        wait.CancelAfter(TimeSpan.FromMilliseconds(300));
        try
        {
            var count = await socket.ReceiveAsync(response, SocketFlags.None, wait.Token);
            return StunMessage.TryParse(response.AsSpan(0, count), out var message, out _) && message.Class == StunClass.SuccessResponse;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            token.ThrowIfCancellationRequested();
            return false;
        }
    }

    private static int FreePort()
    {
        // A port free for both TCP and UDP (coturn listens on both).
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP; try another.
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException("no free port");
    }

    private static X509Certificate2 CreateCertificate(string directory, out string certPath, out string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=turn.kvs.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("turn.kvs.test");
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        certPath = Path.Combine(directory, "turn-cert.pem");
        keyPath = Path.Combine(directory, "turn-key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
