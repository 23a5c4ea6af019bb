using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>State tracking and event raising of <see cref="RTCPeerConnection"/>: everything here runs on the dispatcher task.</summary>
public sealed partial class RTCPeerConnection
{
    private void OnLocalCandidate(IceCandidate? candidate)
    {
        RTCIceCandidateInit? init = null;
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            var ufrag = candidate?.Ufrag ?? _localCredentials.Ufrag;
            if (candidate is not null)
            {
                init = new RTCIceCandidateInit(candidate.ToString(), _bundleMid, _bundleMLineIndex, ufrag);
            }

            if (_appliedLocalUfrag is not null && ufrag != _appliedLocalUfrag)
            {
                // A new ICE generation whose description is not applied yet (the answer to a restart being made): the
                // peer could not match these to its description, so they wait for SetLocalDescription (bounded).
                if (_heldCandidates.Count < 64)
                {
                    _heldCandidates.Add(init);
                }
                else
                {
                    Log.HeldCandidateDropped(_logger);
                }

                return;
            }

            AddToLocalSessionLocked(init);
        }

        if (candidate is null)
        {
            SetGatheringStateOnDispatcher(RTCIceGatheringState.Complete);
        }

        RaiseNow(IceCandidate, new RTCPeerConnectionIceEventArgs(init));
    }

    // On the dispatcher: candidates of a restarted generation, now that its description is applied.
    private void ReleaseHeldCandidates(List<RTCIceCandidateInit?> held)
    {
        foreach (var init in held)
        {
            lock (_sync)
            {
                if (_closed)
                {
                    return;
                }

                AddToLocalSessionLocked(init);
            }

            if (init is null)
            {
                SetGatheringStateOnDispatcher(RTCIceGatheringState.Complete);
            }

            RaiseNow(IceCandidate, new RTCPeerConnectionIceEventArgs(init));
        }
    }

    private void AddToLocalSessionLocked(RTCIceCandidateInit? init)
    {
        var section = _localSession is null ? null : FindBundleSection(_localSession);
        if (init is null)
        {
            section?.SetEndOfCandidates();
        }
        else
        {
            section?.AddCandidate(init.Candidate["candidate:".Length..]);
        }
    }

    private void OnIceStateChanged(Ice.IceConnectionState state)
    {
        if (_closed)
        {
            return;
        }

        var mapped = (RTCIceConnectionState)(int)state;
        if (mapped == _iceState)
        {
            return;
        }

        _iceState = mapped;
        if (mapped == RTCIceConnectionState.Failed)
        {
            _failure ??= new WebRtcException(WebRtcError.IceFailed, "ICE failed: no candidate pair works (or consent was lost).");
            _transport.AbortAssociation("ICE failed");
        }

        _iceTransport.UpdateState(mapped); // W3C: the transport's statechange before the connection's
        RaiseNow(IceConnectionStateChanged, EventArgs.Empty);
        UpdateConnectionState();
    }

    private void OnDtlsStateChanged(DtlsState state, DtlsException? failure)
    {
        if (_closed)
        {
            return;
        }

        _dtlsState = state;
        WebRtcException? error = null;
        if (state == DtlsState.Failed)
        {
            if (failure?.Error == DtlsError.FingerprintMismatch)
            {
                Log.FingerprintMismatch(_logger);
            }
            else
            {
                Log.DtlsFailed(_logger, failure?.Message ?? "unknown reason");
            }

            error = WebRtcException.FromDtls(failure);
            _failure ??= error;
        }

        // W3C: the DTLS transport's error and statechange before the connection's connectionstatechange.
        _dtlsTransport.UpdateState(ToDtlsTransportState(state), error);
        UpdateConnectionState();
    }

    private static RTCDtlsTransportState ToDtlsTransportState(DtlsState state) => state switch
    {
        DtlsState.Connecting => RTCDtlsTransportState.Connecting,
        DtlsState.Connected => RTCDtlsTransportState.Connected,
        DtlsState.Closed => RTCDtlsTransportState.Closed,
        DtlsState.Failed => RTCDtlsTransportState.Failed,
        _ => RTCDtlsTransportState.New,
    };

    private void OnAssociationConnected(int maxChannels)
    {
        RTCSctpTransport? sctp;
        lock (_sync)
        {
            _sctpConnectedChannels = maxChannels;
            sctp = _closed ? null : _sctpTransport;
        }

        sctp?.OnConnected(maxChannels);
    }

    private void OnAssociationClosed()
    {
        if (!_closed)
        {
            _sctpTransport?.UpdateState(RTCSctpTransportState.Closed);
        }
    }

    // After a description was applied (outside the lock): senders and receivers of negotiated sections get the BUNDLE
    // transport; an answer that accepts a data section creates the SCTP transport (W3C "set the session description").
    private void UpdateTransportObjects(RTCSdpType type, bool local)
    {
        bool createSctp;
        lock (_sync)
        {
            foreach (var transceiver in _transceivers)
            {
                if (transceiver.Model.Mid is not null && !transceiver.Model.Stopped)
                {
                    transceiver.Sender.Transport = _dtlsTransport;
                    transceiver.Receiver.Transport = _dtlsTransport;
                }
            }

            var answer = type is RTCSdpType.Answer or RTCSdpType.Pranswer ? (local ? _localSession : _remoteSession) : null;
            createSctp = _sctpTransport is null && answer is not null && _localSession is not null && _remoteSession is not null
                && answer.Media.Exists(m => m.IsDataChannel && !m.IsRejected);
            if (createSctp)
            {
                var sctp = new RTCSctpTransport(_dtlsTransport, _remoteMaxMessageSize, ex => Log.HandlerFailed(_logger, ex));
                if (_sctpConnectedChannels is { } channels)
                {
                    sctp.OnConnected(channels); // the association came up before (no handler can be attached yet)
                }

                _sctpTransport = sctp;
            }
        }
    }

    private void UpdateConnectionState()
    {
        var next = (_iceState, _dtlsState) switch
        {
            _ when _closed => RTCPeerConnectionState.Closed,
            (RTCIceConnectionState.Failed, _) or (_, DtlsState.Failed) => RTCPeerConnectionState.Failed,
            (RTCIceConnectionState.Disconnected, _) or (_, DtlsState.Closed) => RTCPeerConnectionState.Disconnected,
            (RTCIceConnectionState.New, DtlsState.New) => RTCPeerConnectionState.New,
            (RTCIceConnectionState.Connected or RTCIceConnectionState.Completed, DtlsState.Connected) => RTCPeerConnectionState.Connected,
            _ => RTCPeerConnectionState.Connecting,
        };
        if (next == _connectionState)
        {
            return;
        }

        _connectionState = next;
        Log.ConnectionState(_logger, next);
        RaiseNow(ConnectionStateChanged, EventArgs.Empty);
    }

    private void SetGatheringState(RTCIceGatheringState state) => _dispatcher.Post(() => SetGatheringStateOnDispatcher(state));

    private void SetGatheringStateOnDispatcher(RTCIceGatheringState state)
    {
        if (_gatheringState == state || _closed)
        {
            return;
        }

        _gatheringState = state;
        _iceTransport.UpdateGatheringState(state);
        RaiseNow(IceGatheringStateChanged, EventArgs.Empty);
    }

    private void RaiseSignalingIfChanged(RTCSignalingState before, RTCSignalingState after)
    {
        if (before != after)
        {
            Raise(SignalingStateChanged, EventArgs.Empty);
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
        where T : EventArgs => _dispatcher.Post(() => RaiseNow(handler, args));

    private void Raise(EventHandler? handler, EventArgs args) => _dispatcher.Post(() => RaiseNow(handler, args));

    // Handlers are captured when the event is queued for events raised from API calls, and read at dispatch time for
    // events of the network; either way they run on the dispatcher task, one at a time.
    private void RaiseNow<T>(EventHandler<T>? handler, T args)
        where T : EventArgs
    {
        if (handler is null)
        {
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler<T>)single)(this, args);
            }
#pragma warning disable CA1031 // A throwing user handler must not affect the connection or the other handlers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, ex);
            }
        }
    }

    private void RaiseNow(EventHandler? handler, EventArgs args)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler)single)(this, args);
            }
#pragma warning disable CA1031 // A throwing user handler must not affect the connection or the other handlers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5201, LogLevel.Warning, "An RTCPeerConnection event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(5202, LogLevel.Debug, "Remote candidate of type {Type} ignored (unsupported, duplicate or over the cap)")]
        public static partial void CandidateIgnored(ILogger logger, string type);

        [LoggerMessage(5203, LogLevel.Information, "Connection state {State}")]
        public static partial void ConnectionState(ILogger logger, RTCPeerConnectionState state);

        [LoggerMessage(5204, LogLevel.Information, "The remote offer changed its ICE credentials: ICE restarts with new local credentials")]
        public static partial void RemoteIceRestart(ILogger logger);

        [LoggerMessage(5240, LogLevel.Information, "ICE restart applied with the local {Kind}: connectivity checks start again and candidates are gathered again")]
        public static partial void LocalIceRestart(ILogger logger, string kind);

        [LoggerMessage(5242, LogLevel.Warning, "A remote candidate held for the peer's next ICE generation was refused: {Reason}")]
        public static partial void HeldRemoteCandidateRefused(ILogger logger, string reason);

        [LoggerMessage(5241, LogLevel.Warning, "A local candidate of a restarted ICE generation was dropped: 64 are already waiting for the local description")]
        public static partial void HeldCandidateDropped(ILogger logger);

        [LoggerMessage(5205, LogLevel.Information, "The remote sctp-port is {Port} (WebRTC stacks normally use 5000); SCTP packets are addressed to it")]
        public static partial void UnusualSctpPort(ILogger logger, int port);

        [LoggerMessage(5206, LogLevel.Warning, "The peer's DTLS certificate does not match the fingerprint in its SDP: the connection is refused (a possible man-in-the-middle, or SDP altered on the way)")]
        public static partial void FingerprintMismatch(ILogger logger);

        [LoggerMessage(5207, LogLevel.Warning, "The DTLS handshake failed: {Reason}")]
        public static partial void DtlsFailed(ILogger logger, string reason);
    }
}
