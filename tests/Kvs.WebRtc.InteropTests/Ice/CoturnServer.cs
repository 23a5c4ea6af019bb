using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Ice;

/// <summary>
/// A coturn <c>turnserver</c> on 127.0.0.1 for one test (recipe of docs/INTEROP.md): long-term credentials
/// <c>test</c>/<c>secret</c>, realm <c>local</c>, loopback peers allowed, a random listening port and relay range.
/// </summary>
internal sealed class CoturnServer : IAsyncDisposable
{
    public const string Username = "test";
    public const string Password = "secret";

    private readonly Process _process;
    private readonly string _directory;

    private CoturnServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"turn:127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}?transport=udp";

    public static async Task<CoturnServer> StartAsync(CancellationToken cancellationToken)
    {
        var executable = ExternalTool.Require("turnserver", "/usr/bin/turnserver");
        var port = FreeUdpPort();
        var minPort = 50000 + (Random.Shared.Next(0, 150) * 100);
        var directory = Directory.CreateTempSubdirectory("kvs-ice-coturn-").FullName;
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}",
            $"--min-port={minPort}", $"--max-port={minPort + 99}", "--lt-cred-mech", $"--user={Username}:{Password}",
            "--realm=local", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--fingerprint",
            "--log-file=stdout", "--simple-log", "--no-software-attribute",
            $"--pidfile={Path.Combine(directory, "turnserver.pid")}", $"--userdb={Path.Combine(directory, "turndb")}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new CoturnServer(process, directory, port);
        try
        {
            await server.WaitReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    // Ready when it answers a STUN Binding request (coturn serves Binding on its listening port).
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] request = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var buffer = new byte[512];
        var target = new IPEndPoint(IPAddress.Loopback, Port);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"turnserver exited with code {_process.ExitCode}");
            }

            await socket.SendToAsync(request, SocketFlags.None, target, cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                if (result.ReceivedBytes >= 20 && buffer[0] == 0x01 && buffer[1] == 0x01)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        throw new TimeoutException("turnserver did not answer a Binding request within 10 s");
    }
}
