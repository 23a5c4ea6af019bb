using System.Globalization;

namespace Kvs.WebRtc.Emulator;

/// <summary>Builds the URLs the emulator advertises: its service URL and the per-channel endpoints.</summary>
/// <remarks>Thread-safe; <see cref="Port"/> is set once the listener is bound.</remarks>
internal sealed class EmulatorEndpoints
{
    private readonly bool _useTls;
    private readonly string _host;
    private volatile string _authority;
    private int _port;

    public EmulatorEndpoints(bool useTls, string host, int port)
    {
        _useTls = useTls;
        _host = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host;
        _authority = string.Empty;
        Port = port;
    }

    /// <summary>The advertised port.</summary>
    public int Port
    {
        get => Volatile.Read(ref _port);
        set
        {
            Volatile.Write(ref _port, value);
            _authority = value == (_useTls ? 443 : 80) ? _host : string.Create(CultureInfo.InvariantCulture, $"{_host}:{value}");
        }
    }

    /// <summary>The control-plane and signaling HTTPS endpoint, without a trailing slash (e.g. <c>http://127.0.0.1:4566</c>).</summary>
    public string Https => (_useTls ? "https://" : "http://") + _authority;

    /// <summary>The WebSocket endpoint for a role: <c>ws(s)://host:port/m/{id}</c> or <c>/v/{id}</c>.</summary>
    public string Wss(string channelId, KvsEmulatorRole role) =>
        (_useTls ? "wss://" : "ws://") + _authority + (role == KvsEmulatorRole.Master ? "/m/" : "/v/") + channelId;
}
