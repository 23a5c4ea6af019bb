using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// The emulated KVS storage session of one channel: on every master join it connects to the master as a WebRTC peer
/// (our own <see cref="RTCPeerConnection"/>, receive-only H.264 video and Opus audio), sending its SDP offer over
/// signaling without a sender client id, and appends the frames it receives to one recording (a later join replaces
/// the peer; the files continue).
/// </summary>
/// <remarks>Thread-safe: one gate for the peer, one for the files.</remarks>
internal sealed partial class StorageSession : IAsyncDisposable
{
    private const int MaxPendingCandidates = 100;

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
    private readonly List<RTCIceCandidateInit> _pendingCandidates = [];
    private RTCPeerConnection? _peer;
    private bool _remoteSet;
    private int _joins;
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
        StartedAt = _startedAt,
    };

    /// <summary>A master joined: replace the storage peer with a fresh one and send the master its offer.</summary>
    public async Task JoinAsync()
    {
        Interlocked.Increment(ref _joins);
        RTCPeerConnection? old;
        RTCPeerConnection peer;
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            old = _peer;
            peer = new RTCPeerConnection(_configuration, new RTCPeerConnectionOptions { LoggerFactory = _loggerFactory });
            _peer = peer;
            _remoteSet = false;
            _pendingCandidates.Clear();
            var video = peer.AddTransceiver(MediaStreamTrackKind.Video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
            video.SetCodecPreferences([RTCRtpCodec.H264]);
            var audio = peer.AddTransceiver(MediaStreamTrackKind.Audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
            audio.SetCodecPreferences([RTCRtpCodec.Opus]);
            peer.IceCandidate += (_, e) => OnLocalCandidate(peer, e.Candidate);
            peer.ConnectionStateChanged += (_, _) => OnStateChanged(peer);
            _ = RecordAsync(video.Receiver.Track, _video);
            _ = RecordAsync(audio.Receiver.Track, _audio);
            var offer = await peer.CreateOfferAsync().ConfigureAwait(false);
            await peer.SetLocalDescriptionAsync(offer).ConfigureAwait(false);
            _sendToMaster(SignalingWireNames.SdpOffer, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer(offer.Sdp)));
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
    public async Task OnMasterMessageAsync(string messageType, string payload)
    {
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_peer is not { } peer)
            {
                return;
            }

            if (messageType == SignalingWireNames.SdpAnswer)
            {
                if (SignalingPayloadCodec.TryDecodeSdp(payload, SessionDescriptionPayload.AnswerType, out var answer, out _) != ServiceFrameStatus.Message
                    || answer is null || _remoteSet)
                {
                    return;
                }

                await peer.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer.Sdp)).ConfigureAwait(false);
                _remoteSet = true;
                foreach (var candidate in _pendingCandidates)
                {
                    await AddCandidateAsync(peer, candidate).ConfigureAwait(false);
                }

                _pendingCandidates.Clear();
            }
            else if (messageType == SignalingWireNames.IceCandidate)
            {
                if (SignalingPayloadCodec.TryDecodeIceCandidate(payload, out var decoded, out _) != ServiceFrameStatus.Message || decoded is null)
                {
                    return;
                }

                var candidate = new RTCIceCandidateInit(decoded.Candidate, decoded.SdpMid, decoded.SdpMLineIndex, decoded.UsernameFragment);
                if (_remoteSet)
                {
                    await AddCandidateAsync(peer, candidate).ConfigureAwait(false);
                }
                else if (_pendingCandidates.Count < MaxPendingCandidates)
                {
                    _pendingCandidates.Add(candidate);
                }
            }
        }
        catch (WebRtcException ex)
        {
            Log.MasterMessageFailed(_logger, _channel.Name, messageType, ex.Message);
        }
        finally
        {
            _peerGate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RTCPeerConnection? peer;
        await _peerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            peer = _peer;
            _peer = null;
        }
        finally
        {
            _peerGate.Release();
        }

        if (peer is not null)
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

    private static async Task AddCandidateAsync(RTCPeerConnection peer, RTCIceCandidateInit candidate)
    {
        try
        {
            await peer.AddIceCandidateAsync(candidate).ConfigureAwait(false);
        }
        catch (WebRtcException)
        {
            // One bad candidate does not end the session.
        }
    }

    private void OnLocalCandidate(RTCPeerConnection peer, RTCIceCandidateInit? candidate)
    {
        if (candidate is null || candidate.IsEndOfCandidates || !ReferenceEquals(Volatile.Read(ref _peer), peer))
        {
            return;
        }

        var payload = new IceCandidatePayload(candidate.Candidate, candidate.SdpMid, candidate.SdpMLineIndex, candidate.UsernameFragment);
        _sendToMaster(SignalingWireNames.IceCandidate, SignalingPayloadCodec.EncodeIceCandidate(payload));
    }

    private void OnStateChanged(RTCPeerConnection peer)
    {
        if (!ReferenceEquals(Volatile.Read(ref _peer), peer))
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

    private async Task RecordAsync(RemoteMediaTrack track, RecordingFileWriter writer)
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

                    await writer.WriteAsync(frame.Data).ConfigureAwait(false);
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
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
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
    }
}
