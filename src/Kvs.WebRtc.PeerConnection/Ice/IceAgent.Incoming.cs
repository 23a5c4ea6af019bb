using System.Globalization;
using System.Net;
using System.Text;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Incoming datagrams: demultiplexing (RFC 7983), answering checks (RFC 8445 §7.3), processing responses (§7.2.5).</summary>
internal sealed partial class IceAgent
{
    /// <summary>
    /// Handles one datagram that arrived on <paramref name="localBase"/> from <paramref name="source"/>. STUN is consumed;
    /// DTLS (first byte 20..63) and RTP/RTCP (128..191) from a validated remote address are returned as
    /// <see cref="IceDatagramResult.ApplicationData"/> for the caller to pass up; everything else is dropped and counted.
    /// </summary>
    public IceDatagramResult HandleDatagram(ReadOnlySpan<byte> datagram, IPEndPoint localBase, IPEndPoint source, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(localBase);
        ArgumentNullException.ThrowIfNull(source);
        Advance(now);
        if (_state == IceConnectionState.Closed || datagram.IsEmpty)
        {
            return IceDatagramResult.Dropped;
        }

        var first = datagram[0];
        if (first < 4)
        {
            var handled = HandleStun(datagram, localBase, source);
            if (handled == IceDatagramResult.Consumed)
            {
                // A response may have made a pair valid or nominated: act now rather than at the next timer.
                TryNominate();
                UpdateCompletion();
            }

            return handled;
        }

        if (first is (>= 20 and <= 63) or (>= 128 and <= 191) && IsValidatedRemote(localBase, source))
        {
            return IceDatagramResult.ApplicationData;
        }

        Counters.UnexpectedData++;
        Log.DroppedData(_logger, source, first);
        return IceDatagramResult.Dropped;
    }

    /// <summary>True when <paramref name="source"/> is the remote side of a valid pair on <paramref name="localBase"/>.</summary>
    public bool IsValidatedRemote(IPEndPoint localBase, IPEndPoint source)
    {
        if (SelectedPair is { } selected && selected.RemoteEndPoint.Equals(source) && selected.LocalBase.Equals(localBase))
        {
            return true;
        }

        foreach (var pair in _pairs)
        {
            if ((pair.State == IceCandidatePairState.Succeeded || pair.CheckAnswered) && pair.Matches(localBase, source))
            {
                return true;
            }
        }

        return false;
    }

    private IceDatagramResult HandleStun(ReadOnlySpan<byte> datagram, IPEndPoint localBase, IPEndPoint source)
    {
        if (!IceStunMessage.TryParse(datagram, out var message) || !message.IsBinding || (message.HasFingerprint && !message.VerifyFingerprint()))
        {
            Counters.MalformedStun++;
            Log.DroppedStun(_logger, source, "malformed, not Binding, or bad FINGERPRINT");
            return IceDatagramResult.Dropped;
        }

        if (message.IsRequest)
        {
            return HandleRequest(message, localBase, source);
        }

        if (message.IsIndication)
        {
            return IceDatagramResult.Consumed; // keepalive (RFC 8445 §11): nothing to do
        }

        return HandleResponse(message, localBase, source);
    }

    private IceDatagramResult HandleRequest(IceStunMessage request, IPEndPoint localBase, IPEndPoint source)
    {
        // §7.3: authenticate first (USERNAME "local:remote", MESSAGE-INTEGRITY with our password); FINGERPRINT required.
        if (!request.HasFingerprint || !request.HasUsername || !request.HasMessageIntegrity || !UsernameMatches(request.Username)
            || !request.VerifyIntegrity(_localPasswordKey))
        {
            Counters.Unauthenticated++;
            Log.DroppedStun(_logger, source, "check without valid USERNAME/MESSAGE-INTEGRITY/FINGERPRINT");
            return IceDatagramResult.Dropped;
        }

        var local = FindLocalByBase(localBase);
        if (request.Priority is not { } priority || local is null || (request.IceControlling is null && request.IceControlled is null))
        {
            Counters.MalformedStun++;
            Log.DroppedStun(_logger, source, "check without PRIORITY or role, or on an unknown base");
            return IceDatagramResult.Dropped;
        }

        // §7.3.1.1 role conflict.
        if (Role == IceRole.Controlling && request.IceControlling is { } theirControlling)
        {
            Counters.RoleConflicts++;
            if (TieBreaker >= theirControlling)
            {
                SendErrorResponse(request, localBase, source, 487, "Role Conflict");
                return IceDatagramResult.Consumed;
            }

            SwitchRole(IceRole.Controlled);
        }
        else if (Role == IceRole.Controlled && request.IceControlled is { } theirControlled)
        {
            Counters.RoleConflicts++;
            if (TieBreaker >= theirControlled)
            {
                SwitchRole(IceRole.Controlling);
            }
            else
            {
                SendErrorResponse(request, localBase, source, 487, "Role Conflict");
                return IceDatagramResult.Consumed;
            }
        }

        SendSuccessResponse(request, localBase, source);
        Counters.ChecksAnswered++;

        // §7.3.1.3: an unknown source is a peer-reflexive remote candidate.
        var remoteIndex = FindRemote(source);
        IceCandidate remote;
        if (remoteIndex < 0)
        {
            if (_remotes.Count >= _options.MaxRemoteCandidates)
            {
                Counters.IgnoredRemoteCandidates++;
                return IceDatagramResult.Consumed;
            }

            remote = new IceCandidate
            {
                Foundation = "prflx" + (++_prflxCounter).ToString(CultureInfo.InvariantCulture),
                Priority = priority is 0 or > int.MaxValue ? 1 : priority,
                Address = source.Address.ToString(),
                Port = source.Port,
                Type = IceCandidateType.PeerReflexive,
            };
            _remotes.Add(remote);
            Log.PeerReflexiveRemote(_logger, source);
        }
        else
        {
            remote = _remotes[remoteIndex];
        }

        var pair = TryAddPair(local, remote, source);
        if (pair is null)
        {
            return IceDatagramResult.Consumed;
        }

        pair.CheckAnswered = true;
        pair.RequestsReceived++;

        // §7.3.1.4 triggered checks.
        switch (pair.State)
        {
            case IceCandidatePairState.Succeeded:
                break;
            case IceCandidatePairState.InProgress:
                // §7.3.1.4: cancel the outstanding check (no more retransmits, its loss is no failure, a late
                // response still counts) and trigger a fresh one, so one lost request cannot fail a pair the
                // peer has just proven to work.
                CancelOutstandingChecks(pair);
                pair.State = IceCandidatePairState.Waiting;
                EnqueueTriggered(pair);
                break;
            default:
                pair.State = RemoteCredentials is null ? IceCandidatePairState.Frozen : IceCandidatePairState.Waiting;
                EnqueueTriggered(pair);
                break;
        }

        // §7.3.1.5 nomination, controlled side.
        if (Role == IceRole.Controlled && request.UseCandidate)
        {
            if (pair.State == IceCandidatePairState.Succeeded)
            {
                Nominate(pair);
            }
            else
            {
                pair.NominateOnSuccess = true;
            }
        }

        if (_state == IceConnectionState.New && RemoteCredentials is not null)
        {
            SetState(IceConnectionState.Checking);
        }

        return IceDatagramResult.Consumed;
    }

    private IceDatagramResult HandleResponse(IceStunMessage response, IPEndPoint localBase, IPEndPoint source)
    {
        if (!_transactions.TryGetValue(response.TransactionId, out var t))
        {
            Counters.UnknownTransactions++;
            Log.DroppedStun(_logger, source, "response to no outstanding transaction");
            return IceDatagramResult.Dropped;
        }

        if (t.Kind == TransactionKind.ServerBinding)
        {
            _transactions.Remove(t.Id);
            if (response.IsSuccessResponse && response.GetXorMappedAddress() is { } mapped)
            {
                AddServerReflexive(t.Local, mapped, t.Destination);
            }

            CheckGatheringComplete();
            return IceDatagramResult.Consumed;
        }

        // Responses to checks are authenticated with the peer's password (§7.2.5).
        if (t.RemoteKey is null || !response.HasMessageIntegrity || !response.VerifyIntegrity(t.RemoteKey))
        {
            Counters.Unauthenticated++;
            Log.DroppedStun(_logger, source, "response without valid MESSAGE-INTEGRITY");
            return IceDatagramResult.Dropped;
        }

        _transactions.Remove(t.Id);
        var pair = t.Pair;
        if (pair is null || !_pairs.Contains(pair) && !ReferenceEquals(pair, _selected))
        {
            return IceDatagramResult.Consumed; // pair pruned or restarted meanwhile
        }

        // §7.2.5.2.1: the response must come back on the same 5-tuple.
        if (!source.Equals(t.Destination) || !localBase.Equals(t.Local.Base))
        {
            if (t.Kind == TransactionKind.Check)
            {
                pair.State = IceCandidatePairState.Failed;
            }

            return IceDatagramResult.Consumed;
        }

        if (response.IsErrorResponse)
        {
            if (response.ErrorCode == 487 && t.Kind == TransactionKind.Check)
            {
                // §7.2.5.1: switch role if we have not already, then retry the pair.
                Counters.RoleConflicts++;
                if (t.RoleAtSend == Role)
                {
                    SwitchRole(Role == IceRole.Controlling ? IceRole.Controlled : IceRole.Controlling);
                }

                if (pair.State != IceCandidatePairState.Succeeded)
                {
                    pair.State = IceCandidatePairState.Waiting;
                }

                pair.Nominating = false;
                EnqueueTriggered(pair);
            }
            else if (t.Kind == TransactionKind.Check)
            {
                Log.CheckError(_logger, pair.Local.Base, pair.RemoteEndPoint, response.ErrorCode ?? 0);
                pair.State = IceCandidatePairState.Failed;
                pair.Nominating = false;
            }

            return IceDatagramResult.Consumed;
        }

        if (!response.IsSuccessResponse)
        {
            return IceDatagramResult.Consumed;
        }

        pair.LastResponse = _now;
        pair.ResponsesReceived++;
        var roundTrip = _now - t.LastSentAt;
        pair.CurrentRoundTripTime = roundTrip;
        pair.TotalRoundTripTime += roundTrip;
        if (t.Kind == TransactionKind.Consent)
        {
            if (_state == IceConnectionState.Disconnected && ReferenceEquals(pair, _selected))
            {
                SetState(IceConnectionState.Connected);
                UpdateCompletion();
            }

            return IceDatagramResult.Consumed;
        }

        OnCheckSucceeded(pair, t.UseCandidate, response.GetXorMappedAddress());
        return IceDatagramResult.Consumed;
    }

    private void OnCheckSucceeded(IceCandidatePair pair, bool usedCandidate, IPEndPoint? mapped)
    {
        var wasValid = pair.State == IceCandidatePairState.Succeeded;
        pair.State = IceCandidatePairState.Succeeded;
        if (!wasValid)
        {
            Log.CheckSucceeded(_logger, pair.Local.Base, pair.RemoteEndPoint);
            _firstValidAt ??= _now;

            // §7.2.5.3.3: unfreeze the pairs of the same foundation.
            var foundation = pair.Foundation;
            foreach (var other in _pairs)
            {
                if (other.State == IceCandidatePairState.Frozen && other.Foundation == foundation)
                {
                    other.State = IceCandidatePairState.Waiting;
                }
            }
        }

        if (mapped is not null && !_locals.Any(l => l.Candidate.EndPoint is { } ep && ep.Equals(mapped)))
        {
            // §7.2.5.3.1: a local peer-reflexive address; the valid pair shares the checked pair's base, so it is this pair.
            Log.LocalPeerReflexive(_logger, mapped, pair.Local.Base);
        }

        if (Role == IceRole.Controlling && usedCandidate && pair.Nominating)
        {
            pair.Nominating = false;
            Nominate(pair);
        }
        else if (Role == IceRole.Controlled && pair.NominateOnSuccess)
        {
            pair.NominateOnSuccess = false;
            Nominate(pair);
        }
    }

    private void Nominate(IceCandidatePair pair)
    {
        pair.Nominated = true;

        // The controlled side follows the highest-priority nominated pair (§8.1.1).
        if (_selected is null || !_selected.Nominated || pair.Priority > _selected.Priority || !_pairs.Contains(_selected))
        {
            Select(pair);
        }
    }

    private void AddServerReflexive(IceLocalCandidate hostBase, IPEndPoint mapped, IPEndPoint server)
    {
        if (mapped.Equals(hostBase.Base))
        {
            return; // §5.1.3: redundant with its base
        }

        var candidate = new IceCandidate
        {
            Foundation = IceFoundation.Compute(IceCandidateType.ServerReflexive, hostBase.Base.Address, server.Address, IceTransportProtocol.Udp),
            Component = 1,
            Priority = IcePriority.Compute(IceCandidateType.ServerReflexive, hostBase.LocalPreference, 1),
            Address = mapped.Address.ToString(),
            Port = mapped.Port,
            Type = IceCandidateType.ServerReflexive,
            RelatedAddress = hostBase.Base.Address.ToString(),
            RelatedPort = hostBase.Base.Port,
        };
        if (!_locals.Any(l => l.Candidate.Type == IceCandidateType.ServerReflexive && l.Candidate.EndPoint is { } ep && ep.Equals(mapped)))
        {
            AddLocal(candidate, hostBase.Base);
        }
    }

    private void SwitchRole(IceRole role)
    {
        Log.RoleSwitched(_logger, Role, role);
        Role = role;
        foreach (var pair in _pairs)
        {
            pair.Priority = ComputePairPriority(pair.Local, pair.Remote);
            pair.Nominating = false;
        }
    }

    private bool UsernameMatches(ReadOnlySpan<byte> username)
    {
        // "localUfrag:remoteUfrag"; the remote part may be unknown yet (early checks before the answer, RFC 8445 §7.3).
        var colon = username.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        Span<byte> ufrag = stackalloc byte[256 * 3];
        var expectedLength = Encoding.UTF8.GetBytes(LocalCredentials.Ufrag, ufrag);
        if (!username[..colon].SequenceEqual(ufrag[..expectedLength]))
        {
            return false;
        }

        if (RemoteCredentials is null)
        {
            return true;
        }

        expectedLength = Encoding.UTF8.GetBytes(RemoteCredentials.Ufrag, ufrag);
        return username[(colon + 1)..].SequenceEqual(ufrag[..expectedLength]);
    }

    private void SendSuccessResponse(IceStunMessage request, IPEndPoint localBase, IPEndPoint source)
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingSuccess, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(_localPasswordKey);
        writer.AddFingerprint();
        _transmits.Enqueue(new IceTransmit(localBase, source, writer.Written.ToArray()));
    }

    private void SendErrorResponse(IceStunMessage request, IPEndPoint localBase, IPEndPoint source, int code, string reason)
    {
        Log.ErrorResponseSent(_logger, source, code);
        Span<byte> buffer = stackalloc byte[128];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingError, request.TransactionId);
        writer.AddErrorCode(code, reason);
        writer.AddMessageIntegrity(_localPasswordKey);
        writer.AddFingerprint();
        _transmits.Enqueue(new IceTransmit(localBase, source, writer.Written.ToArray()));
    }
}
