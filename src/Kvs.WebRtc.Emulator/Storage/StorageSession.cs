using System.Collections.Concurrent;
using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// The emulated KVS storage session of one channel: on every master join it connects to the master as a WebRTC peer
/// (our own <see cref="RTCPeerConnection"/>, receive-only H.264 video and Opus audio), sending its SDP offer over
/// signaling without a sender client id, and appends the frames it receives to one recording (a later join replaces
/// the peer; the files continue). Viewers that join the session (<c>JoinStorageSessionAsViewer</c>) get their own peer
/// connection from the session, which forwards the master's frames to them (as the KVS media server does).
/// </summary>
/// <remarks>Thread-safe: one gate for the peers, one for the files.</remarks>
internal sealed partial class StorageSession : IAsyncDisposable
{
    /// <summary>The media stream id of the tracks the session forwards to its viewers.</summary>
    public const string StreamId = "kvs-storage-session";

    private readonly EmulatedChannel _channel;
    private readonly Action<string, string> _sendToMaster;
    private readonly RTCConfiguration _configuration;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _peerGate = new(1, 1);
    private readonly SemaphoreSlim _fileGate = new(1, 1);
    private readonly RecordingFileWriter _video;
    private readonly RecordingFileWriter _audio;
    private readonly string? _streamArn;
    private readonly DateTimeOffset _startedAt;
    private readonly ConcurrentDictionary<string, StoragePeer> _viewers = new(StringComparer.Ordinal);
    private readonly EncodedFrameTrack _forwardVideo = new(RTCRtpCodec.H264, "kvs-storage-video");
    private readonly EncodedFrameTrack _forwardAudio = new(RTCRtpCodec.Opus, "kvs-storage-audio");
    private StoragePeer? _master;
    private RemoteMediaTrack? _masterVideo;
    private TimeSpan? _firstVideoTimestamp;
    private TimeSpan? _lastVideoTimestamp;
    private int _joins;
    private int _viewerJoins;
    private int _viewerCount;
    private int _connections;
    private bool _connected;
    private int _disposed;

    private StorageSession(
        EmulatedChannel channel, string? streamArn, Action<string, string> sendToMaster, RecordingFileWriter video, RecordingFileWriter audio,
        RTCConfiguration configuration, DateTimeOffset startedAt, ILoggerFactory loggerFactory)
    {
        _channel = channel;
        _streamArn = streamArn;
        _sendToMaster = sendToMaster;
        _video = video;
        _audio = audio;
        _configuration = configuration;
        _startedAt = startedAt;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<StorageSession>();

        // A viewer's sender binds after the stream started: it asks for a key frame, which only the master can make.
        _forwardVideo.KeyFrameRequested += (_, _) => Volatile.Read(ref _masterVideo)?.RequestKeyFrame();
    }

    /// <summary>The audio recording file.</summary>
    public string AudioPath => _audio.Path;

    /// <summary>
    /// The video's mean frame rate from the first and last recorded frame timestamps, or null with fewer than two
    /// frames (used to give the raw H.264, which has no timestamps, its timing when it is muxed).
    /// </summary>
    public double? VideoFrameRate
    {
        get
        {
            var frames = _video.FramesWritten;
            return _firstVideoTimestamp is { } first && _lastVideoTimestamp is { } last && last > first && frames > 1
                ? (frames - 1) / (last - first).TotalSeconds
                : null;
        }
    }

    /// <summary>The channel.</summary>
    public EmulatedChannel Channel => _channel;

    /// <summary>The video recording file.</summary>
    public string VideoPath => _video.Path;

    /// <summary>Creates the recording files in <paramref name="directory"/>.</summary>
    public static async Task<StorageSession> CreateAsync(
        EmulatedChannel channel, string? streamArn, string directory, long maxBytes, Action<string, string> sendToMaster,
        RTCConfiguration configuration, DateTimeOffset startedAt, ILoggerFactory loggerFactory)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{channel.Name}-{startedAt:yyyyMMdd'T'HHmmss'Z'}-{channel.ChannelId}-{Guid.NewGuid().ToString("N")[..6]}");
        var video = await RecordingFileWriter.CreateAsync(stem + ".h264", opus: false, maxBytes).ConfigureAwait(false);
        try
        {
            var audio = await RecordingFileWriter.CreateAsync(stem + ".ogg", opus: true, maxBytes).ConfigureAwait(false);
            return new StorageSession(channel, streamArn, sendToMaster, video, audio, configuration, startedAt, loggerFactory);
        }
        catch
        {
            await video.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A snapshot for <see cref="KvsEmulator.Recordings"/>.</summary>
    public KvsEmulatorRecording ToRecording() => new()
    {
        ChannelArn = _channel.Arn,
        ChannelName = _channel.Name,
        StreamArn = _streamArn,
        VideoPath = _video.Path,
        AudioPath = _audio.Path,
        VideoFrames = _video.FramesWritten,
        AudioFrames = _audio.FramesWritten,
        Joins = Volatile.Read(ref _joins),
        Connections = Volatile.Read(ref _connections),
        IsConnected = Volatile.Read(ref _connected),
        IsTruncated = _video.IsFull || _audio.IsFull,
        ViewerJoins = Volatile.Read(ref _viewerJoins),
        Viewers = Volatile.Read(ref _viewerCount),
        StartedAt = _startedAt,
    };

    /// <summary>A master joined: replace the storage peer with a fresh one and send the master its offer.</summary>
    public async Task JoinAsync()
    {
        Interlocked.Increment(ref _joins);
        StoragePeer? old;
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            old = _master;
            _master = await StoragePeer.OfferAsync(_configuration, _loggerFactory, "the master", _sendToMaster, connection =>
            {
                var video = connection.AddTransceiver(MediaStreamTrackKind.Video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
                video.SetCodecPreferences([RTCRtpCodec.H264]);
                var audio = connection.AddTransceiver(MediaStreamTrackKind.Audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
                audio.SetCodecPreferences([RTCRtpCodec.Opus]);
                connection.ConnectionStateChanged += (_, _) => OnStateChanged(connection);
                Volatile.Write(ref _masterVideo, video.Receiver.Track);
                _ = RecordAsync(video.Receiver.Track, _video, _forwardVideo);
                _ = RecordAsync(audio.Receiver.Track, _audio, _forwardAudio);
            }).ConfigureAwait(false);
        }
        finally
        {
            _peerGate.Release();
        }

        var joins = Volatile.Read(ref _joins);
        Log.Offered(_logger, _channel.Name, joins);
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A message from the master without a recipient: the answer or an ICE candidate for the storage peer.</summary>
    public Task OnMasterMessageAsync(string messageType, string payload) =>
        Volatile.Read(ref _master) is { } master ? master.OnMessageAsync(messageType, payload) : Task.CompletedTask;

    /// <summary>
    /// A viewer joined the session (<c>JoinStorageSessionAsViewer</c>): a fresh peer connection to it (replacing one it
    /// had) that forwards the master's video and audio, offered to the viewer over signaling.
    /// </summary>
    /// <returns>False when the session already has <paramref name="maxViewers"/> other viewers.</returns>
    public async Task<bool> JoinViewerAsync(string clientId, int maxViewers, Action<string, string> sendToViewer)
    {
        StoragePeer? old;
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return true;
            }

            _viewers.TryGetValue(clientId, out old);
            if (old is null && _viewers.Count >= maxViewers)
            {
                return false;
            }

            _viewers[clientId] = await StoragePeer.OfferAsync(_configuration, _loggerFactory, "viewer " + clientId, sendToViewer, connection =>
            {
                var video = connection.AddTransceiver(_forwardVideo, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly, StreamIds = [StreamId] });
                video.SetCodecPreferences([RTCRtpCodec.H264]);
                // KVS lets storage-session viewers send audio; the emulator takes it and does not record it.
                var audio = connection.AddTransceiver(_forwardAudio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendRecv, StreamIds = [StreamId] });
                audio.SetCodecPreferences([RTCRtpCodec.Opus]);
                connection.ConnectionStateChanged += (_, _) => Log.ViewerPeerState(_logger, _channel.Name, clientId, connection.ConnectionState);
            }).ConfigureAwait(false);
            Volatile.Write(ref _viewerCount, _viewers.Count);
            Interlocked.Increment(ref _viewerJoins);
        }
        finally
        {
            _peerGate.Release();
        }

        Log.ViewerOffered(_logger, _channel.Name, clientId);
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>A message from a viewer that joined the session: its answer or a candidate. False when it has no peer here.</summary>
    public bool TryOnViewerMessage(string clientId, string messageType, string payload)
    {
        if (!_viewers.TryGetValue(clientId, out var peer))
        {
            return false;
        }

        _ = peer.OnMessageAsync(messageType, payload);
        return true;
    }

    /// <summary>
    /// Ends the session (peers closed, files flushed and closed) and, with <paramref name="ffmpeg"/>, muxes the recording
    /// into one Matroska file.
    /// </summary>
    public async Task<KvsEmulatorRecording> FinishAsync(string? ffmpeg)
    {
        await DisposeAsync().ConfigureAwait(false);
        var recording = ToRecording();
        if (ffmpeg is null)
        {
            return recording;
        }

        var matroska = await MatroskaMuxer.MuxAsync(
            ffmpeg, _video.Path, recording.VideoFrames, VideoFrameRate, _audio.Path, recording.AudioFrames, _logger).ConfigureAwait(false);
        return recording with { MatroskaPath = matroska };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        List<StoragePeer> peers;
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            peers = [.. _viewers.Values];
            if (_master is not null)
            {
                peers.Add(_master);
            }

            _master = null;
            _viewers.Clear();
            Volatile.Write(ref _viewerCount, 0);
        }
        finally
        {
            _peerGate.Release();
        }

        foreach (var peer in peers)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }

        await _fileGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _video.DisposeAsync().ConfigureAwait(false);
            await _audio.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _fileGate.Release();
        }
    }

    private void OnStateChanged(RTCPeerConnection peer)
    {
        if (!ReferenceEquals(Volatile.Read(ref _master)?.Connection, peer))
        {
            return;
        }

        var state = peer.ConnectionState;
        if (state == RTCPeerConnectionState.Connected)
        {
            Interlocked.Increment(ref _connections);
            Volatile.Write(ref _connected, true);
        }
        else if (state is RTCPeerConnectionState.Failed or RTCPeerConnectionState.Closed or RTCPeerConnectionState.Disconnected)
        {
            Volatile.Write(ref _connected, false);
        }

        Log.PeerState(_logger, _channel.Name, state);
    }

    // Appends the master's frames to the recording and forwards them to the session's viewers (packetized once by the
    // forwarding track, encrypted per viewer connection).
    private async Task RecordAsync(RemoteMediaTrack track, RecordingFileWriter writer, EncodedFrameTrack forward)
    {
        try
        {
            var sinceFlush = 0;
            await foreach (var frame in track.ReadFramesAsync().ConfigureAwait(false))
            {
                await _fileGate.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        return;
                    }

                    if (await writer.WriteAsync(frame.Data).ConfigureAwait(false) && ReferenceEquals(writer, _video))
                    {
                        _firstVideoTimestamp ??= frame.Timestamp;
                        _lastVideoTimestamp = frame.Timestamp;
                    }

                    if (++sinceFlush >= 25)
                    {
                        sinceFlush = 0;
                        await writer.FlushAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    _fileGate.Release();
                }

                if (Volatile.Read(ref _viewerCount) > 0)
                {
                    await forward.WriteFrameAsync(frame).ConfigureAwait(false);
                }
            }

            await _fileGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    await writer.FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _fileGate.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or WebRtcException)
        {
            Log.RecordingFailed(_logger, _channel.Name, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8200, Level = LogLevel.Information, Message = "Storage session of {ChannelName}: offer sent to the master (join {Join})")]
        public static partial void Offered(ILogger logger, string channelName, int join);

        [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "Storage session of {ChannelName}: peer connection {State}")]
        public static partial void PeerState(ILogger logger, string channelName, RTCPeerConnectionState state);

        [LoggerMessage(EventId = 8202, Level = LogLevel.Warning, Message = "Storage session of {ChannelName}: {MessageType} from the master not applied: {Reason}")]
        public static partial void MasterMessageFailed(ILogger logger, string channelName, string messageType, string reason);

        [LoggerMessage(EventId = 8203, Level = LogLevel.Warning, Message = "Storage session of {ChannelName}: recording stopped: {Reason}")]
        public static partial void RecordingFailed(ILogger logger, string channelName, string reason);

        [LoggerMessage(EventId = 8204, Level = LogLevel.Information, Message = "Storage session of {ChannelName}: offer sent to viewer {ClientId}")]
        public static partial void ViewerOffered(ILogger logger, string channelName, string clientId);

        [LoggerMessage(EventId = 8205, Level = LogLevel.Information, Message = "Storage session of {ChannelName}: peer connection to viewer {ClientId} {State}")]
        public static partial void ViewerPeerState(ILogger logger, string channelName, string clientId, RTCPeerConnectionState state);
    }
}
