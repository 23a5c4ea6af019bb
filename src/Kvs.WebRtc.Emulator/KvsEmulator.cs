using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kvs.WebRtc.Emulator.Auth;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Emulator.IceServers;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Emulator.Storage;
using Kvs.WebRtc.Emulator.Turn;
using Kvs.WebRtc.Emulator.Tls;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator;

/// <summary>
/// A local, in-process Amazon Kinesis Video Streams WebRTC service for tests, samples and offline development: the
/// control plane (<c>kinesisvideo</c> 2017-09-30), the signaling HTTPS API (<c>/v1/get-ice-server-config</c>) and
/// WebSocket signaling (ConnectAsMaster / ConnectAsViewer), all on one loopback listener, with SigV4 verification.
/// </summary>
/// <remarks>
/// <para>Start with <c>await using var emulator = await KvsEmulator.StartAsync(options);</c>, point clients at
/// <see cref="ServiceUrl"/> with <see cref="Region"/> and <see cref="Credentials"/>. It listens on 127.0.0.1 only
/// (optionally also [::1]). Channels are ACTIVE as soon as they are created; GetSignalingChannelEndpoint returns this
/// emulator's own endpoints (<c>ws(s)://127.0.0.1:port/m/{channelId}</c> for masters, <c>/v/{channelId}</c> for
/// viewers, and <see cref="ServiceUrl"/> for HTTPS).</para>
/// <para>Routing, buffering and error rules are those of the KVS protocol reference (spec sections 3–5); where the
/// real service is undocumented the emulator's choice is documented on <see cref="KvsEmulatorOptions"/> and
/// <see cref="KvsEmulatorFaults"/>.</para>
/// <para>Thread-safe. <see cref="DisposeAsync"/> sends <c>GO_AWAY</c> to every socket, closes them with 1001, then
/// stops the listener; each step is bounded by <see cref="KvsEmulatorOptions.ShutdownTimeout"/>.</para>
/// </remarks>
public sealed partial class KvsEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SignalingHub _hub;
    private StorageSessionHandler? _storage;
    private readonly ChannelStore _store;
    private readonly EmulatorEndpoints _endpoints;
    private readonly EmulatorRequestHandler _handler;
    private readonly EmulatorCounters _counters;
    private readonly KvsEmulatorOptions _options;
    private readonly RequestAuthenticator _authenticator;
    private readonly bool _ownsCertificate;
    private readonly ILogger _logger;
    private EmulatorTurnServer? _turnServer;
    private int _disposed;

    private KvsEmulator(KvsEmulatorOptions options, WebApplication app, SignalingHub hub, ChannelStore store, EmulatorEndpoints endpoints, EmulatorRequestHandler handler, EmulatorCounters counters, KvsEmulatorFaults faults, RequestAuthenticator authenticator, AwsCredentialsSnapshot credentials, X509Certificate2? certificate, bool ownsCertificate)
    {
        _options = options;
        _authenticator = authenticator;
        _app = app;
        _hub = hub;
        _store = store;
        _endpoints = endpoints;
        _handler = handler;
        _counters = counters;
        Faults = faults;
        Credentials = credentials;
        Certificate = certificate;
        _ownsCertificate = ownsCertificate;
        _logger = options.LoggerFactory.CreateLogger<KvsEmulator>();
    }

    /// <summary>
    /// The control-plane and signaling-HTTPS base URL, e.g. <c>http://127.0.0.1:54321/</c> (<c>https</c> with
    /// <see cref="KvsEmulatorOptions.UseTls"/>). Pass it as the endpoint override of any KVS client.
    /// </summary>
    public Uri ServiceUrl { get; private set; } = null!;

    /// <summary>The [::1] URL when <see cref="KvsEmulatorOptions.ListenOnIPv6Loopback"/> is set; otherwise null.</summary>
    public Uri? ServiceUrlIPv6 { get; private set; }

    /// <summary>The emulated region (default <c>us-west-2</c>); sign requests for it.</summary>
    public string Region => _options.Region;

    /// <summary>The 12-digit account id used in ARNs.</summary>
    public string AccountId => _options.AccountId;

    /// <summary>The default accepted key pair (generated at start unless <see cref="KvsEmulatorOptions.DefaultCredentials"/> was given).</summary>
    public AwsCredentialsSnapshot Credentials { get; }

    /// <summary>Fault injection for tests.</summary>
    public KvsEmulatorFaults Faults { get; }

    /// <summary>
    /// The TLS server certificate when <see cref="KvsEmulatorOptions.UseTls"/> is set (generated self-signed unless one
    /// was supplied); null for plain http/ws. A generated certificate is disposed with the emulator.
    /// </summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Test hook: raised after each client frame was processed (outside locks, on the socket's thread).</summary>
    internal event Action<FrameProcessedEvent>? FrameProcessed
    {
        add => _hub.FrameProcessed += value;
        remove => _hub.FrameProcessed -= value;
    }

    /// <summary>Starts an emulator on a loopback port.</summary>
    /// <param name="options">Settings; null for the defaults (ephemeral port, plain http/ws, us-west-2, random credentials).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<KvsEmulator> StartAsync(KvsEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        EmulatorTurnServer? turnServer = null;
        options = (options ?? new KvsEmulatorOptions()).Clone();
        options.Validate();
        var timeProvider = options.TimeProvider;
        var credentials = options.DefaultCredentials ?? GenerateCredentials();
        var certificate = options.UseTls ? options.Certificate : null;
        var ownsCertificate = false;
        if (options.UseTls && certificate is null)
        {
            var names = new List<string>(options.AdditionalCertificateHostNames) { options.EndpointHostName };
            // Validity is checked by TLS clients against the real clock, not the emulator's (possibly manual) clock.
            certificate = SelfSignedCertificateFactory.Create(TimeProvider.System.GetUtcNow(), names);
            ownsCertificate = true;
        }

        try
        {
            var counters = new EmulatorCounters();
            var faults = new FaultState();
            var store = new ChannelStore(options.Region, options.AccountId, options.MaxChannels);
            var endpoints = new EmulatorEndpoints(options.UseTls, options.EndpointHostName, options.Port);
            var hub = new SignalingHub(store, options, faults, counters);
            var authenticator = new RequestAuthenticator(options.Credentials.Prepend(credentials), options.AllowHostWithoutPort, options.AllowedClockSkew, options.ReplayCacheCapacity);
            StorageSessionHandler? storage = null;
            var controlPlane = new ControlPlaneHandler(store, endpoints, timeProvider, channel =>
            {
                hub.OnChannelDeleted(channel);
                _ = storage?.OnChannelDeletedAsync(channel);
            });
            turnServer = StartTurnServer(options);
            var iceServers = new IceServerConfigHandler(store, options);
            var upgrades = new WebSocketUpgradeHandler(store, hub, authenticator, faults, counters, options);
            storage = options.EnableStorageSessions ? new StorageSessionHandler(store, hub, options) : null;
            var handler = new EmulatorRequestHandler(controlPlane, iceServers, upgrades, authenticator, faults, counters, options, storage);

            var app = BuildApp(options, certificate, handler);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var emulator = new KvsEmulator(options, app, hub, store, endpoints, handler, counters, new KvsEmulatorFaults(hub, faults, options.MaxConnectionDuration), authenticator, credentials, certificate, ownsCertificate);
            emulator._storage = storage;
            emulator._turnServer = turnServer;
            emulator.BindAddresses();
            if (emulator._logger.IsEnabled(LogLevel.Information))
            {
                Log.Started(emulator._logger, emulator.ServiceUrl, options.Region, credentials.AccessKeyId, options.VerifySignatures);
            }

            return emulator;
        }
        catch
        {
            if (turnServer is not null)
            {
                await turnServer.DisposeAsync().ConfigureAwait(false);
            }

            if (ownsCertificate)
            {
                certificate!.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The embedded TURN server's UDP endpoint (<see cref="KvsEmulatorOptions.RunTurnServer"/>), or null when it does
    /// not run.
    /// </summary>
    public IPEndPoint? TurnServerEndPoint => _turnServer?.EndPoint;

    /// <summary>The embedded TURN server's counters, or null when it does not run.</summary>
    public KvsEmulatorTurnStatistics? GetTurnStatistics() => _turnServer is { } t
        ? new KvsEmulatorTurnStatistics(t.AllocationCount, t.AllocationsCreated, t.Unauthorized, t.RelayedDatagrams, t.MalformedDropped, t.Restarts)
        : null;

    /// <summary>The embedded TURN server, for tests of the emulator itself.</summary>
    internal EmulatorTurnServer? TurnServer => _turnServer;

    /// <summary>
    /// Restarts the embedded TURN server as a restarted coturn behaves: every allocation (and its relay address) is
    /// dropped, the same port is bound again, and requests carrying the old nonce get 438 Stale Nonce, so clients
    /// allocate anew.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="KvsEmulatorOptions.RunTurnServer"/> is false.</exception>
    public Task RestartTurnServerAsync() =>
        _turnServer?.RestartAsync() ?? throw new InvalidOperationException("The emulator runs no TURN server (KvsEmulatorOptions.RunTurnServer).");

    private static EmulatorTurnServer? StartTurnServer(KvsEmulatorOptions options)
    {
        if (!options.RunTurnServer)
        {
            return null;
        }

        var address = IPAddress.TryParse(options.EndpointHostName, out var parsed) ? parsed : IPAddress.Loopback;
        if (!IPAddress.IsLoopback(address))
        {
            address = IPAddress.Loopback;
        }

        if (string.IsNullOrEmpty(options.TurnSharedSecret))
        {
            options.TurnSharedSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        }

        var server = new EmulatorTurnServer(options.TurnSharedSecret, options.TurnCredentialHashAlgorithm, address, options.MaxTurnAllocations, options.TimeProvider, options.LoggerFactory.CreateLogger<EmulatorTurnServer>());
        server.Start();
        options.TurnUris.Insert(0, server.Uri);
        while (options.TurnUris.Count > KvsEmulatorOptions.MaxUrisPerIceServer)
        {
            options.TurnUris.RemoveAt(options.TurnUris.Count - 1);
        }

        return server;
    }

    /// <summary>
    /// Accepts another key pair from now on, as if it had been listed in <see cref="KvsEmulatorOptions.Credentials"/>:
    /// for example the next temporary credentials of a rotating provider. When the snapshot has an
    /// <see cref="AwsCredentialsSnapshot.Expiration"/>, requests signed with it are refused from that instant on the
    /// emulator's <see cref="KvsEmulatorOptions.TimeProvider"/> (HTTP 403 <c>ExpiredTokenException</c>, "The security
    /// token included in the request is expired"). Registering the same access key id again with the same secret and
    /// session token replaces its expiration.
    /// </summary>
    /// <param name="credentials">The key pair, with its session token and expiration if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is null.</exception>
    /// <exception cref="ArgumentException">The access key id is already accepted with another secret or session token.</exception>
    public void AddCredentials(AwsCredentialsSnapshot credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _authenticator.Add(credentials, nameof(credentials));
        Log.CredentialsAdded(_logger, credentials.AccessKeyId, credentials.Expiration);
    }

    /// <summary>Stops accepting an access key id (requests signed with it get HTTP 403 <c>UnrecognizedClientException</c>).</summary>
    /// <param name="accessKeyId">The access key id to forget.</param>
    /// <returns>False when the access key id was not accepted.</returns>
    public bool RemoveCredentials(string accessKeyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        return _authenticator.Remove(accessKeyId);
    }

    /// <summary>Creates an ACTIVE signaling channel directly (without a signed request); returns its ARN.</summary>
    /// <param name="channelName">1–256 characters of <c>[a-zA-Z0-9_.-]</c>, unique.</param>
    /// <param name="messageTtlSeconds">How long undelivered messages are kept: 5–120 seconds.</param>
    /// <exception cref="ArgumentException">The name is invalid or taken, or the TTL is out of range.</exception>
    public string CreateSignalingChannel(string channelName, int messageTtlSeconds = ChannelValidation.DefaultMessageTtlSeconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelName);
        try
        {
            ChannelValidation.RequireChannelName(channelName, nameof(channelName));
            var ttl = ChannelValidation.ValidateTtl(messageTtlSeconds);
            return _store.Create(channelName, ttl, [], _options.TimeProvider.GetUtcNow()).Arn;
        }
        catch (AwsServiceError error)
        {
            throw new ArgumentException(error.Message, nameof(channelName), error);
        }
    }

    /// <summary>
    /// The WebSocket endpoint of a channel for a role, as GetSignalingChannelEndpoint returns it
    /// (e.g. <c>ws://127.0.0.1:54321/v/1a2b3c4d</c>).
    /// </summary>
    /// <param name="channelArn">The channel ARN.</param>
    /// <param name="role">Master or viewer.</param>
    /// <exception cref="ArgumentException">No such channel.</exception>
    public Uri GetSignalingEndpoint(string channelArn, KvsEmulatorRole role)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelArn);
        var channel = _store.FindByArn(channelArn) ?? throw new ArgumentException("No channel has this ARN.", nameof(channelArn));
        return new Uri(_endpoints.Wss(channel.ChannelId, role));
    }

    /// <summary>The open WebSocket connections, oldest first.</summary>
    public IReadOnlyList<KvsEmulatorConnectionInfo> GetConnections() => _hub.GetConnections();

    /// <summary>How many messages are buffered for offline recipients on a channel (expired ones are dropped first).</summary>
    /// <param name="channelArn">The channel ARN.</param>
    public int GetPendingMessageCount(string channelArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelArn);
        return _hub.GetPendingCount(channelArn);
    }

    /// <summary>A snapshot of the emulator's counters.</summary>
    public KvsEmulatorStatistics GetStatistics() => _counters.Snapshot();

    /// <summary>
    /// The recordings of the emulated storage sessions (WebRTC ingestion), one per channel whose master joined its
    /// storage session, oldest first; files live in <see cref="KvsEmulatorOptions.RecordingDirectory"/>. Empty when
    /// <see cref="KvsEmulatorOptions.EnableStorageSessions"/> is off.
    /// </summary>
    public IReadOnlyList<KvsEmulatorRecording> Recordings => _storage?.GetRecordings() ?? [];

    /// <summary>
    /// Links a channel to a (fictitious) stream for WebRTC ingestion, as UpdateMediaStorageConfiguration with status
    /// ENABLED does; a master may then join the channel's storage session.
    /// </summary>
    /// <param name="channelArn">The channel ARN.</param>
    /// <param name="streamArn">The stream ARN; null mints one in the emulated account.</param>
    /// <returns>The stream ARN.</returns>
    /// <exception cref="ArgumentException">No channel has this ARN, or the stream ARN is malformed.</exception>
    public string EnableMediaStorage(string channelArn, string? streamArn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelArn);
        var channel = _store.FindByArn(channelArn) ?? throw new ArgumentException("No channel has this ARN.", nameof(channelArn));
        streamArn ??= string.Create(CultureInfo.InvariantCulture, $"arn:aws:kinesisvideo:{Region}:{AccountId}:stream/{channel.Name}-recording/{channel.CreationTime.ToUnixTimeMilliseconds()}");
        if (!ChannelValidation.IsWellFormedArn(streamArn))
        {
            throw new ArgumentException("The stream ARN is malformed.", nameof(streamArn));
        }

        _store.SetMediaStorage(channelArn, "ENABLED", streamArn);
        return streamArn;
    }

    /// <summary>The TLS certificate in PEM form (<c>-----BEGIN CERTIFICATE-----</c>), for clients to trust.</summary>
    /// <exception cref="InvalidOperationException">TLS is not enabled.</exception>
    public string ExportCertificatePem() =>
        (Certificate ?? throw new InvalidOperationException("The emulator was started without TLS.")).ExportCertificatePem();

    /// <summary>Writes <see cref="ExportCertificatePem"/> to a file (for <c>NODE_EXTRA_CA_CERTS</c>, curl <c>--cacert</c>, the C SDK).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="InvalidOperationException">TLS is not enabled.</exception>
    public Task WriteCertificatePemAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.WriteAllTextAsync(path, ExportCertificatePem() + "\n", cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.Stopping(_logger, _hub.ConnectionCount);
        }

        _handler.BeginShutdown();
        await _hub.ShutdownAsync(_options.ShutdownTimeout).ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(_options.ShutdownTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.StopTimedOut(_logger);
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        if (_turnServer is not null)
        {
            await _turnServer.DisposeAsync().ConfigureAwait(false);
        }

        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsCertificate)
        {
            Certificate?.Dispose();
        }
    }

    private static WebApplication BuildApp(KvsEmulatorOptions options, X509Certificate2? certificate, EmulatorRequestHandler handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KvsEmulator).Assembly.GetName().Name });
        builder.Services.AddSingleton<ILoggerFactory>(new HostLoggerFactory(options.LoggerFactory));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = EmulatorRequestHandler.MaxBodySize;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => ConfigureListener(listen, certificate));
            if (options.ListenOnIPv6Loopback)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, options.Port, listen => ConfigureListener(listen, certificate));
            }
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Run(handler.HandleAsync);
        return app;
    }

    private static void ConfigureListener(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen, X509Certificate2? certificate)
    {
        if (certificate is not null)
        {
            listen.UseHttps(certificate);
        }
    }

    private static AwsCredentialsSnapshot GenerateCredentials()
    {
        const string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const string any = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var accessKeyId = "AKIA" + new string(RandomNumberGenerator.GetItems<char>(upper, 16));
        var secret = new string(RandomNumberGenerator.GetItems<char>(any, 40));
        return new AwsCredentialsSnapshot(accessKeyId, secret);
    }

    private void BindAddresses()
    {
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        int? ipv4Port = null;
        int? ipv6Port = null;
        foreach (var address in addresses)
        {
            var uri = new Uri(address);
            if (uri.HostNameType == UriHostNameType.IPv6)
            {
                ipv6Port ??= uri.Port;
            }
            else
            {
                ipv4Port ??= uri.Port;
            }
        }

        var port = ipv4Port ?? throw new InvalidOperationException("The listener did not report its address.");
        _endpoints.Port = port;
        ServiceUrl = new Uri(_endpoints.Https + "/");
        if (ipv6Port is { } v6)
        {
            ServiceUrlIPv6 = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(_options.UseTls ? "https" : "http")}://[::1]:{v6}/"));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "KVS emulator listening on {ServiceUrl} (region {Region}, access key {AccessKeyId}, signature verification {VerifySignatures})")]
        public static partial void Started(ILogger logger, Uri serviceUrl, string region, string accessKeyId, bool verifySignatures);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "KVS emulator stopping; sending GO_AWAY to {ConnectionCount} connection(s)")]
        public static partial void Stopping(ILogger logger, int connectionCount);

        [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "KVS emulator: now accepting access key {AccessKeyId} (expires {Expiration})")]
        public static partial void CredentialsAdded(ILogger logger, string accessKeyId, DateTimeOffset? expiration);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "KVS emulator: the server did not stop within the shutdown timeout")]
        public static partial void StopTimedOut(ILogger logger);
    }
}
