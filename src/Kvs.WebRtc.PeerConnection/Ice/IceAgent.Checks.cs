using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Outgoing checks: pacing, triggered checks, retransmissions, nomination, consent (RFC 8445 §6.1.4, §7.2, §8; RFC 7675).</summary>
internal sealed partial class IceAgent
{
    private enum TransactionKind
    {
        Check,
        Consent,
        ServerBinding,
    }

    private bool HasCheckWork()
    {
        if (RemoteCredentials is null || _state is IceConnectionState.Failed or IceConnectionState.Closed
            || _transactions.Count >= _options.MaxPendingTransactions)
        {
            return false;
        }

        if (_triggered.Count > 0)
        {
            return true;
        }

        foreach (var pair in _pairs)
        {
            if (pair.State is IceCandidatePairState.Waiting or IceCandidatePairState.Frozen)
            {
                return true;
            }
        }

        return false;
    }

    // One check per Ta: the triggered queue first, then the best Waiting pair, else unfreeze the best Frozen pair (§6.1.4.2).
    private bool SendNextCheck()
    {
        while (_triggered.TryDequeue(out var triggered))
        {
            triggered.Triggered = false;
            if (_pairs.Contains(triggered) && triggered.State != IceCandidatePairState.InProgress)
            {
                StartCheck(triggered, useCandidate: triggered.Nominating);
                return true;
            }
        }

        IceCandidatePair? best = null;
        foreach (var pair in _pairs)
        {
            if (pair.State == IceCandidatePairState.Waiting && (best is null || pair.Priority > best.Priority))
            {
                best = pair;
            }
        }

        if (best is null)
        {
            foreach (var pair in _pairs)
            {
                if (pair.State == IceCandidatePairState.Frozen && (best is null || pair.Priority > best.Priority))
                {
                    best = pair;
                }
            }
        }

        if (best is null)
        {
            return false;
        }

        StartCheck(best, useCandidate: false);
        return true;
    }

    private void CancelOutstandingChecks(IceCandidatePair pair)
    {
        var maxTransmissions = _options.MaxCheckTransmissions;
        foreach (var t in _transactions.Values)
        {
            if (t.Kind == TransactionKind.Check && ReferenceEquals(t.Pair, pair) && !t.Cancelled)
            {
                // Keep it for one more RTO so that a late response is still matched, but never send it again.
                t.Cancelled = true;
                t.Transmissions = maxTransmissions;
            }
        }
    }

    private void EnqueueTriggered(IceCandidatePair pair)
    {
        if (!pair.Triggered)
        {
            pair.Triggered = true;
            _triggered.Enqueue(pair);
        }
    }

    private void StartCheck(IceCandidatePair pair, bool useCandidate)
    {
        if (RemoteCredentials is null || _remotePasswordKey is null)
        {
            return;
        }

        if (pair.State != IceCandidatePairState.Succeeded)
        {
            pair.State = IceCandidatePairState.InProgress;
        }

        var transaction = CreateRequest(pair.Local, pair.RemoteEndPoint, TransactionKind.Check, useCandidate);
        transaction.Pair = pair;
        pair.RequestsSent++;
        Counters.ChecksSent++;
        Log.CheckSent(_logger, pair.Local.Base, pair.RemoteEndPoint, useCandidate);
    }

    private Transaction CreateRequest(IceLocalCandidate local, IPEndPoint destination, TransactionKind kind, bool useCandidate)
    {
        var id = TransactionId.NewRandom();
        Span<byte> buffer = stackalloc byte[IceStunMessage.MaxLength];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingRequest, id);
        if (kind != TransactionKind.ServerBinding)
        {
            // RFC 8445 §7.2.2: USERNAME "remote:local", PRIORITY as if peer reflexive, the role attribute, integrity, fingerprint.
            writer.AddUsername(RemoteCredentials!.Ufrag + ":" + LocalCredentials.Ufrag);
            writer.AddPriority(IcePriority.Compute(IceCandidateType.PeerReflexive, local.LocalPreference, 1));
            if (Role == IceRole.Controlling)
            {
                writer.AddIceControlling(TieBreaker);
                if (useCandidate)
                {
                    writer.AddUseCandidate();
                }
            }
            else
            {
                writer.AddIceControlled(TieBreaker);
            }

            writer.AddMessageIntegrity(_remotePasswordKey);
        }

        writer.AddFingerprint();
        var transaction = new Transaction
        {
            Id = id,
            Kind = kind,
            Local = local,
            Destination = destination,
            Message = writer.Written.ToArray(),
            Rto = _options.InitialRetransmissionTimeout,
            NextAt = _now + _options.InitialRetransmissionTimeout,
            Transmissions = 1,
            LastSentAt = _now,
            UseCandidate = useCandidate,
            RoleAtSend = Role,
            RemoteKey = _remotePasswordKey,
        };
        _transactions[id] = transaction;
        _transmits.Enqueue(new IceTransmit(local.Base, destination, transaction.Message));
        return transaction;
    }

    private void StartServerBinding(IceLocalCandidate local, IPEndPoint server)
    {
        if (_transactions.Count < _options.MaxPendingTransactions)
        {
            CreateRequest(local, server, TransactionKind.ServerBinding, useCandidate: false);
        }
    }

    private void ProcessTransactionTimeouts()
    {
        List<Transaction>? expired = null;
        foreach (var t in _transactions.Values)
        {
            if (t.NextAt > _now)
            {
                continue;
            }

            var max = t.Kind == TransactionKind.Check ? _options.MaxCheckTransmissions : 4;
            if (t.Transmissions >= max)
            {
                (expired ??= []).Add(t);
                continue;
            }

            // RFC 5389 §7.2.1: retransmit the same bytes, doubling the timeout (capped).
            t.Transmissions++;
            t.Rto = TimeSpan.FromTicks(Math.Min(t.Rto.Ticks * 2, _options.MaxRetransmissionTimeout.Ticks));
            t.NextAt = _now + t.Rto;
            t.LastSentAt = _now;
            _transmits.Enqueue(new IceTransmit(t.Local.Base, t.Destination, t.Message));
        }

        if (expired is null)
        {
            return;
        }

        foreach (var t in expired)
        {
            _transactions.Remove(t.Id);
            switch (t.Kind)
            {
                case TransactionKind.Check when t.Cancelled:
                    break; // superseded by a triggered check (§7.3.1.4)
                case TransactionKind.Check when t.Pair is { } pair && pair.State == IceCandidatePairState.InProgress:
                    Log.CheckTimedOut(_logger, pair.Local.Base, pair.RemoteEndPoint);
                    pair.State = IceCandidatePairState.Failed;
                    pair.Nominating = false;
                    break;
                case TransactionKind.Check when t.Pair is { } pair && t.UseCandidate:
                    pair.Nominating = false; // nomination attempt lost; TryNominate picks again
                    break;
                case TransactionKind.ServerBinding:
                    Log.ServerBindingTimedOut(_logger, t.Destination);
                    CheckGatheringComplete();
                    break;
                default:
                    break;
            }
        }
    }

    // Regular nomination (§8.1.1): once the best valid pair cannot be beaten by a pending one, or after a timeout.
    private void TryNominate()
    {
        if (Role != IceRole.Controlling || RemoteCredentials is null || NominationStarted()
            || _state is IceConnectionState.Failed or IceConnectionState.Closed)
        {
            return;
        }

        var best = BestValidPair();
        if (best is null)
        {
            return;
        }

        var betterPending = _pairs.Any(p => p.Priority > best.Priority
            && p.State is IceCandidatePairState.Frozen or IceCandidatePairState.Waiting or IceCandidatePairState.InProgress);
        if (betterPending && _now < (_firstValidAt ?? _now) + _options.NominationTimeout)
        {
            return;
        }

        best.Nominating = true;
        Log.Nominating(_logger, best.Local.Base, best.RemoteEndPoint);
        StartCheck(best, useCandidate: true); // the pair stays Succeeded (valid) while this check runs
    }

    private bool NominationStarted() => _selected is not null || _pairs.Any(p => p.Nominating || p.Nominated);

    private void ProcessConsent()
    {
        if (_selected is null || _state is IceConnectionState.Failed or IceConnectionState.Closed)
        {
            return;
        }

        var silent = _now - _selected.LastResponse;
        if (silent >= _options.ConsentLostAfter)
        {
            // RFC 7675 §5.1: consent expired; stop sending on this pair.
            Log.ConsentLost(_logger, _selected.Local.Base, _selected.RemoteEndPoint);
            _selected = null;
            SelectedPair = null;
            _events.Enqueue(new IceSelectedPairChanged(null));
            SetState(IceConnectionState.Failed);
            return;
        }

        if (silent >= _options.ConsentDisconnectedAfter && _state is IceConnectionState.Connected or IceConnectionState.Completed)
        {
            SetState(IceConnectionState.Disconnected);
        }

        if (_now >= _nextConsent && RemoteCredentials is not null)
        {
            _nextConsent = _now + NextConsentDelay();
            if (_transactions.Count < _options.MaxPendingTransactions)
            {
                var t = CreateRequest(_selected.Local, _selected.RemoteEndPoint, TransactionKind.Consent, useCandidate: false);
                t.Pair = _selected;
                _selected.RequestsSent++;
            }
        }
    }

    private sealed class Transaction
    {
        public TransactionId Id { get; init; }

        public TransactionKind Kind { get; init; }

        public required IceLocalCandidate Local { get; init; }

        public required IPEndPoint Destination { get; init; }

        public required byte[] Message { get; init; }

        public IceCandidatePair? Pair { get; set; }

        public TimeSpan Rto { get; set; }

        public TimeSpan NextAt { get; set; }

        public int Transmissions { get; set; }

        /// <summary>When the request was last (re)transmitted: the start of the round trip its response ends.</summary>
        public TimeSpan LastSentAt { get; set; }

        public bool UseCandidate { get; init; }

        public IceRole RoleAtSend { get; init; }

        public byte[]? RemoteKey { get; init; }

        /// <summary>Cancelled per RFC 8445 §7.3.1.4: not retransmitted, and its timeout does not fail the pair.</summary>
        public bool Cancelled { get; set; }
    }
}
