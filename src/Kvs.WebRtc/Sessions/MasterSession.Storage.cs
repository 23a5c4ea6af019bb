using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>WebRTC ingestion (<see cref="MasterSessionOptions.JoinStorageSession"/>): the storage session's peer.</summary>
public sealed partial class MasterSession
{
    /// <summary>The remote client id the storage session's peer is logged under (its messages carry none).</summary>
    public const string StorageSessionClientId = "kvs-storage-session";

    private static readonly TimeSpan s_storageRetryBase = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_storageRetryCap = TimeSpan.FromSeconds(10);

    private readonly object _storageGate = new();
    private PeerLink? _storageLink;
    private IDisposable? _storageStates;
    private int _storageConnects;
    private int _storageJoins;
    private int _storageRejoining;

    /// <summary>
    /// The storage session's peer connection (WebRTC ingestion), or null when <see cref="MasterSessionOptions.JoinStorageSession"/>
    /// is off or its offer has not arrived yet (for stats).
    /// </summary>
    public RTCPeerConnection? StorageSessionConnection
    {
        get
        {
            lock (_storageGate)
            {
                return _storageLink?.Connection;
            }
        }
    }

    /// <summary>How many times the session joined the storage session (start and every signaling reconnect).</summary>
    public int StorageSessionJoins => Volatile.Read(ref _storageJoins);

    /// <summary>True for a message of the storage session: ingestion is on and the message has no sender client id.</summary>
    private bool IsForStorageSession(SignalingMessage message) =>
        _options.JoinStorageSession && string.IsNullOrEmpty(message.SenderClientId);

    /// <summary>Counts signaling connects: every connect after the first one (a reconnect) joins the storage session again.</summary>
    private void WatchStorageRejoins()
    {
        if (!_options.JoinStorageSession)
        {
            return;
        }

        _storageStates = _channel.Signaling.States.Subscribe(state =>
        {
            if (state == SignalingConnectionState.Connected && Interlocked.Increment(ref _storageConnects) > 1)
            {
                _ = RejoinStorageAsync();
            }
        });
    }

    /// <summary>The first join, on start: its failure fails the start (clear errors for a misconfigured channel).</summary>
    private async Task JoinStorageOnStartAsync(CancellationToken cancellationToken)
    {
        if (!_options.JoinStorageSession)
        {
            return;
        }

        await _channel.JoinStorageSessionAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _storageJoins);
        Log.StorageJoined(_logger, 1);
    }

    /// <summary>Joins again after a reconnect, retrying with capped, jittered exponential back-off until it works or the session stops.</summary>
    private async Task RejoinStorageAsync()
    {
        if (Interlocked.Exchange(ref _storageRejoining, 1) != 0)
        {
            return; // a rejoin is already running; it covers this reconnect too
        }

        try
        {
            var clock = _options.Channel.TimeProvider ?? TimeProvider.System;
            for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    await _channel.JoinStorageSessionAsync(_stop.Token).ConfigureAwait(false);
                    var joins = Interlocked.Increment(ref _storageJoins);
                    Log.StorageJoined(_logger, joins);
                    return;
                }
                catch (SignalingException ex)
                {
                    var ceiling = Math.Min(s_storageRetryBase.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)), s_storageRetryCap.TotalMilliseconds);
                    var delay = TimeSpan.FromMilliseconds((ceiling / 2) + (RandomNumberGenerator.GetInt32(1000) / 1000d * ceiling / 2));
                    Log.StorageJoinFailed(_logger, ex.ErrorCode ?? ex.Error.ToString(), ex.Message, delay);
                    await Task.Delay(delay, clock, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Volatile.Write(ref _storageRejoining, 0);
        }
    }

    /// <summary>The storage session's offer (a new one replaces the previous peer) or ICE candidate.</summary>
    private async Task HandleStorageMessageAsync(SignalingMessage message)
    {
        if (message.Type == SignalingMessageType.IceCandidate)
        {
            PeerLink? link;
            lock (_storageGate)
            {
                link = _storageLink;
            }

            if (link is not null && message.IceCandidate is { } candidate)
            {
                await link.AddRemoteCandidateAsync(candidate, _stop.Token).ConfigureAwait(false);
            }

            return;
        }

        if (message.Type != SignalingMessageType.SdpOffer || message.SessionDescription is not { } description)
        {
            return;
        }

        var servers = await _channel.IceServers.GetIceServersAsync(_stop.Token).ConfigureAwait(false);
        var newLink = new PeerLink(
            _channel.Signaling,
            StorageSessionClientId,
            recipientClientId: null,
            PeerLink.WithIceServers(_options.PeerConfiguration, servers),
            new RTCPeerConnectionOptions { LoggerFactory = _options.Channel.LoggerFactory, TimeProvider = _options.Channel.TimeProvider },
            _logger,
            _warnings);
        PeerLink? previous;
        lock (_storageGate)
        {
            previous = _storageLink;
            _storageLink = newLink;
        }

        if (previous is not null)
        {
            await previous.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            newLink.Connection.ConnectionStateChanged += (_, _) => Log.StorageConnectionState(_logger, newLink.Connection.ConnectionState);
            foreach (var track in _options.Tracks)
            {
                newLink.Connection.AddTrack(track, StreamId);
            }

            await newLink.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, description.Sdp), _stop.Token).ConfigureAwait(false);
            var answer = await newLink.Connection.CreateAnswerAsync(_stop.Token).ConfigureAwait(false);
            await newLink.Connection.SetLocalDescriptionAsync(answer, _stop.Token).ConfigureAwait(false);
            await _channel.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(answer.Sdp), recipientClientId: null, cancellationToken: _stop.Token).ConfigureAwait(false);
            Log.StorageAnswered(_logger);
        }
        catch (Exception ex) when (ex is WebRtcException or SignalingException or InvalidOperationException or ArgumentException)
        {
            Log.StorageOfferFailed(_logger, ex.Message);
            lock (_storageGate)
            {
                if (ReferenceEquals(_storageLink, newLink))
                {
                    _storageLink = null;
                }
            }

            await newLink.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DisposeStorageAsync()
    {
        _storageStates?.Dispose();
        PeerLink? link;
        lock (_storageGate)
        {
            link = _storageLink;
            _storageLink = null;
        }

        if (link is not null)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9140, LogLevel.Information, "Joined the storage session (join {Joins})")]
        public static partial void StorageJoined(ILogger logger, int joins);

        [LoggerMessage(9141, LogLevel.Warning, "Joining the storage session failed ({ErrorCode}: {Reason}); retrying in {Delay}")]
        public static partial void StorageJoinFailed(ILogger logger, string? errorCode, string reason, TimeSpan delay);

        [LoggerMessage(9142, LogLevel.Information, "Answered the storage session's offer")]
        public static partial void StorageAnswered(ILogger logger);

        [LoggerMessage(9143, LogLevel.Warning, "The storage session's offer failed: {Reason}")]
        public static partial void StorageOfferFailed(ILogger logger, string reason);

        [LoggerMessage(9144, LogLevel.Information, "Storage session peer connection {State}")]
        public static partial void StorageConnectionState(ILogger logger, RTCPeerConnectionState state);
    }
}
