using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.PeerConnection;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// The WebRTC storage API (<c>kinesis-video-webrtc-storage</c>) on the emulator's WEBRTC endpoint:
/// <c>/joinStorageSession</c> starts (or re-joins) the channel's <see cref="StorageSession"/>, which connects to the
/// master and records; <c>/joinStorageSessionAsViewer</c> makes the session offer the viewer a connection that forwards
/// the master's media (the viewer must be connected to signaling with that client id; the offer waits for it for the
/// channel's message TTL otherwise).
/// Errors carry a lower-case <c>message</c>: 404 for an unknown channel, 400 InvalidArgument for a malformed request or a
/// channel without media storage ENABLED, 400 ClientLimitExceeded beyond <see cref="KvsEmulatorOptions.MaxStorageSessions"/>.
/// </summary>
internal sealed partial class StorageSessionHandler : IAsyncDisposable
{
    public const string JoinStorageSession = "/joinStorageSession";
    public const string JoinStorageSessionAsViewer = "/joinStorageSessionAsViewer";

    private readonly ChannelStore _store;
    private readonly SignalingHub _hub;
    private readonly KvsEmulatorOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, StorageSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<KvsEmulatorRecording> _finished = [];
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private readonly string _directory;
    private readonly string? _ffmpeg;

    public StorageSessionHandler(ChannelStore store, SignalingHub hub, KvsEmulatorOptions options)
    {
        _store = store;
        _hub = hub;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<StorageSessionHandler>();
        _directory = options.RecordingDirectory ?? Path.Combine(Path.GetTempPath(), "kvs-emulator-recordings");
        _ffmpeg = MatroskaMuxer.Resolve(options.FfmpegPath);
        hub.UnaddressedMasterMessage = OnUnaddressedMasterMessage;
        hub.StorageViewerMessage = OnStorageViewerMessage;
    }

    /// <summary>True for the storage paths.</summary>
    public static bool IsOperation(string path) => path is JoinStorageSession or JoinStorageSessionAsViewer;

    /// <summary>Every recording: active sessions and those of deleted channels or a stopped emulator.</summary>
    public IReadOnlyList<KvsEmulatorRecording> GetRecordings() =>
        [.. _sessions.Values.Select(s => s.ToRecording()).Concat(_finished).OrderBy(r => r.StartedAt).ThenBy(r => r.ChannelName, StringComparer.Ordinal)];

    /// <summary>Runs a storage operation; returns the (empty) response body.</summary>
    public async Task<byte[]> HandleAsync(string path, byte[] body)
    {
        JoinStorageSessionBody request;
        try
        {
            request = body.Length == 0
                ? new JoinStorageSessionBody()
                : JsonSerializer.Deserialize(body, StorageJsonContext.Default.JoinStorageSessionBody) ?? new JoinStorageSessionBody();
        }
        catch (JsonException)
        {
            throw Error(AwsErrorTypes.InvalidArgument, HttpStatusCode.BadRequest, "The request body is not a JSON object.");
        }

        if (request.ChannelArn is null || !ChannelValidation.IsWellFormedArn(request.ChannelArn))
        {
            throw Error(AwsErrorTypes.InvalidArgument, HttpStatusCode.BadRequest, "channelArn must be a signaling channel ARN.");
        }

        var channel = _store.FindByArn(request.ChannelArn!)
            ?? throw Error(AwsErrorTypes.ResourceNotFound, HttpStatusCode.NotFound, "The requested channel is not found or not active.");
        var (status, streamArn) = _store.GetMediaStorage(channel);
        if (status != "ENABLED")
        {
            throw Error(AwsErrorTypes.InvalidArgument, HttpStatusCode.BadRequest,
                "The channel has no media storage configuration: call UpdateMediaStorageConfiguration with Status ENABLED and a stream ARN first.");
        }

        if (path == JoinStorageSessionAsViewer)
        {
            if (request.ClientId is null || !Kvs.WebRtc.Signaling.SignalingIdentifiers.IsValidRecipientClientId(request.ClientId))
            {
                throw Error(AwsErrorTypes.InvalidArgument, HttpStatusCode.BadRequest, "clientId must be 1 to 256 characters of [a-zA-Z0-9_.-].");
            }

            var clientId = request.ClientId;
            var viewerSession = await GetOrCreateAsync(channel, streamArn).ConfigureAwait(false);
            bool accepted;
            try
            {
                accepted = await viewerSession.JoinViewerAsync(
                    clientId, _options.MaxStorageSessionViewers, (type, payload) => _hub.SendToViewer(channel.Arn, clientId, type, payload)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebRtcException or InvalidOperationException or ObjectDisposedException)
            {
                Log.JoinFailed(_logger, channel.Name, ex.Message);
                throw new AwsServiceError(AwsErrorTypes.InternalFailure, HttpStatusCode.InternalServerError, "The storage session could not connect to the viewer: " + ex.Message, lowerCaseMessageMember: true);
            }

            if (!accepted)
            {
                throw Error(AwsErrorTypes.ClientLimitExceeded, HttpStatusCode.BadRequest,
                    $"The maximum number of viewers connected to the session ({_options.MaxStorageSessionViewers}) was reached.");
            }

            Log.ViewerJoined(_logger, channel.Name, clientId);
            return "{}"u8.ToArray();
        }

        var session = await GetOrCreateAsync(channel, streamArn).ConfigureAwait(false);
        // The offer goes out after the response (as in KVS, where the session reaches the master over signaling later).
        _ = Task.Run(async () =>
        {
            try
            {
                await session.JoinAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebRtcException or InvalidOperationException or ObjectDisposedException)
            {
                Log.JoinFailed(_logger, channel.Name, ex.Message);
            }
        });
        return "{}"u8.ToArray();
    }

    /// <summary>Ends the session of a deleted channel (its recording stays listed).</summary>
    public async Task OnChannelDeletedAsync(EmulatedChannel channel)
    {
        if (_sessions.TryRemove(channel.Arn, out var session))
        {
            _finished.Add(await session.FinishAsync(_ffmpeg).ConfigureAwait(false));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var arn in _sessions.Keys.ToList())
        {
            if (_sessions.TryRemove(arn, out var session))
            {
                _finished.Add(await session.FinishAsync(_ffmpeg).ConfigureAwait(false));
            }
        }
    }

    private static AwsServiceError Error(string type, HttpStatusCode status, string message) => new(type, status, message, lowerCaseMessageMember: true);

    private async Task<StorageSession> GetOrCreateAsync(EmulatedChannel channel, string? streamArn)
    {
        if (_sessions.TryGetValue(channel.Arn, out var existing))
        {
            return existing;
        }

        await _createGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_sessions.TryGetValue(channel.Arn, out existing))
            {
                return existing;
            }

            if (_sessions.Count >= _options.MaxStorageSessions)
            {
                throw Error(AwsErrorTypes.ClientLimitExceeded, HttpStatusCode.BadRequest,
                    $"The emulator runs at most {_options.MaxStorageSessions} storage sessions (MaxStorageSessions).");
            }

            var configuration = new RTCConfiguration
            {
                IncludeLoopbackCandidates = true,
                EnableIpv6 = false,
                HostAddresses = [IPAddress.Loopback],
            };
            var arn = channel.Arn;
            StorageSession session;
            try
            {
                session = await StorageSession.CreateAsync(
                    channel, streamArn, _directory, _options.MaxRecordingBytes,
                    (type, payload) => _hub.SendToMaster(arn, type, payload),
                    configuration, _options.TimeProvider.GetUtcNow(), _options.LoggerFactory).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AwsServiceError(AwsErrorTypes.InternalFailure, HttpStatusCode.InternalServerError, "The recording files could not be created: " + ex.Message, lowerCaseMessageMember: true);
            }

            _sessions[channel.Arn] = session;
            Log.SessionStarted(_logger, channel.Name, session.VideoPath);
            return session;
        }
        finally
        {
            _createGate.Release();
        }
    }

    private bool OnUnaddressedMasterMessage(string channelArn, string messageType, string payload)
    {
        if (!_sessions.TryGetValue(channelArn, out var session))
        {
            return false;
        }

        _ = session.OnMasterMessageAsync(messageType, payload);
        return true;
    }

    private bool OnStorageViewerMessage(string channelArn, string clientId, string messageType, string payload) =>
        _sessions.TryGetValue(channelArn, out var session) && session.TryOnViewerMessage(clientId, messageType, payload);

    private static partial class Log
    {
        [LoggerMessage(EventId = 8210, Level = LogLevel.Information, Message = "Storage session of {ChannelName} started, recording to {VideoPath} (+ .ogg)")]
        public static partial void SessionStarted(ILogger logger, string channelName, string videoPath);

        [LoggerMessage(EventId = 8211, Level = LogLevel.Information, Message = "Viewer {ClientId} joined the storage session of {ChannelName}")]
        public static partial void ViewerJoined(ILogger logger, string channelName, string clientId);

        [LoggerMessage(EventId = 8212, Level = LogLevel.Warning, Message = "Storage session of {ChannelName}: the join failed: {Reason}")]
        public static partial void JoinFailed(ILogger logger, string channelName, string reason);
    }
}
