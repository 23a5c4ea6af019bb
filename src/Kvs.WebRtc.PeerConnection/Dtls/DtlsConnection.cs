using System.Buffers;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// A sans-IO DTLS 1.2 endpoint (RFC 6347 over RFC 5246) for WebRTC: ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305,
/// extended master secret (RFC 7627), use_srtp (RFC 5764), mutual certificates verified against SDP fingerprints
/// (RFC 8827 §6.5). It owns no socket, task or timer: feed it datagrams with <see cref="HandleInput"/>, drain
/// <see cref="TryPollTransmit"/>, read <see cref="TryReadApplicationData"/>, and call <see cref="HandleTimeout"/>
/// at <see cref="NextTimeout"/>. Time is a monotonic <see cref="TimeSpan"/> from an arbitrary origin.
/// </summary>
/// <remarks>
/// <para>This class is the record layer and the facade: records, epochs, replay windows, handshake fragments and
/// their reassembly, flight packing and retransmission, timers, alerts. The handshake itself is delegated to one
/// flight handler per role (<see cref="DtlsClientFlights"/>, <see cref="DtlsServerFlights"/>), which parse the
/// messages with the codecs of <c>Dtls/Messages</c> and share a <see cref="DtlsHandshakeContext"/>
/// (transcript, <see cref="DtlsCipherSuiteInfo"/>, key share). See docs/architecture.md, "DTLS".</para>
/// <para>Not thread-safe: one driver loop calls it. Application data records are sealed and opened without allocation
/// (cipher objects are reused; datagram buffers come from <see cref="ArrayPool{T}.Shared"/>).</para>
/// </remarks>
internal sealed class DtlsConnection : IDatagramCore, IDtlsHandshakeHost, IDisposable
{
    /// <summary>Largest application data payload of one record (2^14, RFC 5246 §6.2.1).</summary>
    public const int MaxApplicationDataLength = 16384;

    /// <summary>The exporter label of DTLS-SRTP (RFC 5764 §4.2).</summary>
    public const string SrtpExporterLabel = "EXTRACTOR-dtls_srtp";

    private const ulong MaxSequenceNumber = (1UL << 48) - 1;

    /// <summary>Least time between two retransmissions triggered by the peer repeating its previous flight.</summary>
    private static readonly TimeSpan s_minDuplicateRetransmitInterval = TimeSpan.FromMilliseconds(50);

    private readonly DtlsRole _role;
    private readonly DtlsOptions _options;
    private readonly DtlsHandshakeContext _context;
    private readonly DtlsFlightHandler _handshake;
    private readonly DtlsHandshakeReassembler _reassembler = new();
    private readonly DtlsClientHelloAssembler _clientHelloAssembler = new();
    private readonly Queue<PooledDatagram> _transmitQueue = new();
    private readonly Queue<PooledDatagram> _receiveQueue = new();
    private readonly byte[] _recordScratch = new byte[DtlsRecordHeader.MaxPayload];

    // Record layer (RFC 6347 §4.1): one write sequence per epoch so flight retransmissions keep using epoch 0.
    private ulong _writeSequence0;
    private ulong _writeSequence1;
    private DtlsRecordProtection? _writeProtection;
    private DtlsRecordProtection? _readProtection;
    private ushort _activeWriteEpoch;
    private DtlsReplayWindow _replay0;
    private DtlsReplayWindow _replay1;

    // Datagram being packed while a flight is emitted.
    private byte[]? _packing;
    private int _packingLength;

    private TimeSpan? _retransmitAt;
    private TimeSpan _retransmitTimeout;
    private TimeSpan? _handshakeDeadline;
    private bool _disposed;

    // Handshake message numbering on the receive side (RFC 6347 §4.2.2).
    private int _nextReceiveSequence;
    private int _peerFlightStart;
    private bool _retransmittedForThisDatagram;
    private TimeSpan? _lastDuplicateRetransmit;

    /// <summary>Creates an endpoint.</summary>
    /// <param name="role">Client (SDP setup:active) or server (setup:passive).</param>
    /// <param name="certificate">The local certificate; its fingerprint is what the local SDP advertises.</param>
    /// <param name="remoteFingerprints">
    /// Fingerprints from the remote SDP; the peer's certificate must match one. May be empty when the remote
    /// description is not known yet: the handshake then runs but the connection stays
    /// <see cref="DtlsState.Connecting"/> until <see cref="SetRemoteFingerprints"/> supplies them.
    /// </param>
    /// <param name="options">Settings, or null for the defaults.</param>
    public DtlsConnection(DtlsRole role, DtlsCertificate certificate, IEnumerable<DtlsFingerprint> remoteFingerprints, DtlsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(remoteFingerprints);
        _options = options ?? new DtlsOptions();
        _options.Validate();
        _role = role;
        _retransmitTimeout = _options.InitialRetransmitTimeout;
        _context = new DtlsHandshakeContext(role, certificate, remoteFingerprints.ToArray(), _options);
        _handshake = role == DtlsRole.Client ? new DtlsClientFlights(this, _context) : new DtlsServerFlights(this, _context);
    }

    /// <summary>The role passed to the constructor.</summary>
    public DtlsRole Role => _role;

    /// <summary>Current state.</summary>
    public DtlsState State { get; private set; } = DtlsState.New;

    /// <summary>Why the connection failed, when <see cref="State"/> is <see cref="DtlsState.Failed"/>.</summary>
    public DtlsException? Failure { get; private set; }

    /// <summary>The negotiated cipher suite, once the hellos were exchanged.</summary>
    public DtlsCipherSuite? CipherSuite => _context.Suite?.Suite;

    /// <summary>The negotiated SRTP protection profile, or null when use_srtp was not agreed.</summary>
    public DtlsSrtpProtectionProfile? SrtpProfile => _context.SrtpProfile;

    /// <summary>The peer's certificate (DER), once received and matched against the fingerprints.</summary>
    public ReadOnlyMemory<byte> RemoteCertificate => _context.RemoteCertificate;

    /// <summary>Records dropped because they were malformed, replayed, unauthenticated or unexpected.</summary>
    public long DroppedRecords { get; private set; }

    /// <summary>Application data records dropped because the receive queue was full.</summary>
    public long DroppedApplicationRecords { get; private set; }

    /// <summary>Datagrams waiting in <see cref="TryPollTransmit"/>.</summary>
    public int PendingTransmitCount => _transmitQueue.Count;

    /// <summary>When <see cref="HandleTimeout"/> must next be called, or null when no timer is needed.</summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            if (State != DtlsState.Connecting)
            {
                return null;
            }

            if (_retransmitAt is { } retransmit && _handshakeDeadline is { } deadline)
            {
                return retransmit < deadline ? retransmit : deadline;
            }

            return _retransmitAt ?? _handshakeDeadline;
        }
    }

    /// <summary>Starts the handshake. The client queues its ClientHello; a server just begins waiting.</summary>
    /// <param name="now">Current monotonic time.</param>
    public void Start(TimeSpan now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (State != DtlsState.New)
        {
            return;
        }

        if (_role == DtlsRole.Client)
        {
            State = DtlsState.Connecting;
            _handshakeDeadline = now + _options.HandshakeTimeout;
            ((DtlsClientFlights)_handshake).Start(now);
        }
    }

    /// <summary>
    /// Supplies (or replaces) the remote SDP fingerprints. When the peer's certificate already arrived it is checked
    /// now: a match completes a finished handshake (<see cref="DtlsState.Connected"/>), a mismatch fails the
    /// connection with <see cref="DtlsError.FingerprintMismatch"/> and a bad_certificate alert.
    /// </summary>
    /// <exception cref="ArgumentException">No fingerprint was given.</exception>
    public void SetRemoteFingerprints(IEnumerable<DtlsFingerprint> remoteFingerprints)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(remoteFingerprints);
        var fingerprints = remoteFingerprints.ToArray();
        if (fingerprints.Length == 0)
        {
            throw new ArgumentException("At least one remote fingerprint is required.", nameof(remoteFingerprints));
        }

        _context.RemoteFingerprints = fingerprints;
        if (State is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }

        _handshake.OnRemoteFingerprints();
    }

    /// <summary>ClientHellos a stateless server is assembling from fragments (for tests; at most <see cref="DtlsClientHelloAssembler.Slots"/>).</summary>
    internal int PartialClientHellos => _clientHelloAssembler.BufferedMessages;

    /// <summary>Processes one received UDP datagram (one or more DTLS records). Bad records are dropped and counted.</summary>
    /// <param name="datagram">The datagram's bytes.</param>
    /// <param name="now">Current monotonic time.</param>
    public void HandleInput(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (State is DtlsState.Closed or DtlsState.Failed)
        {
            return;
        }

        if (_role == DtlsRole.Client && State == DtlsState.New)
        {
            // A client speaks first; anything before Start is not for this handshake.
            DroppedRecords++;
            return;
        }

        _retransmittedForThisDatagram = false;
        while (!datagram.IsEmpty)
        {
            if (!DtlsRecordHeader.TryRead(datagram, out var header) || DtlsRecordHeader.Size + header.Length > datagram.Length)
            {
                DroppedRecords++;
                return;
            }

            var payload = datagram.Slice(DtlsRecordHeader.Size, header.Length);
            datagram = datagram[(DtlsRecordHeader.Size + header.Length)..];
            ProcessRecord(header, payload, now);
            if (State is DtlsState.Closed or DtlsState.Failed)
            {
                return;
            }
        }
    }

    /// <summary>Runs retransmission and handshake timers that are due (RFC 6347 §4.2.4).</summary>
    public void HandleTimeout(TimeSpan now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (State != DtlsState.Connecting)
        {
            return;
        }

        if (_handshakeDeadline is { } deadline && now >= deadline)
        {
            // Tell the peer (best effort; it may be unreachable) so it stops retransmitting instead of timing out too.
            Fail(DtlsError.Timeout, DtlsAlertDescription.HandshakeFailure, "The DTLS handshake did not complete in time.");
            return;
        }

        if (_retransmitAt is { } at && now >= at)
        {
            // Back off exponentially up to the maximum (RFC 6347 §4.2.4.1).
            var doubled = _retransmitTimeout + _retransmitTimeout;
            _retransmitTimeout = doubled > _options.MaxRetransmitTimeout ? _options.MaxRetransmitTimeout : doubled;
            EmitFlight();
            _retransmitAt = now + _retransmitTimeout;
        }
    }

    /// <summary>Copies the next datagram to send into <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives the datagram.</param>
    /// <param name="now">Current monotonic time (DTLS queues its datagrams when they are produced; the time is not used).</param>
    /// <param name="length">The datagram's length.</param>
    /// <returns>False when nothing is queued.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is smaller than the datagram (MTU, or record size for large application data).</exception>
    public bool TryPollTransmit(Span<byte> destination, TimeSpan now, out int length) => TryDequeueInto(_transmitQueue, destination, out length);

    /// <summary>Copies the next received application data record into <paramref name="destination"/>.</summary>
    /// <returns>False when none is queued.</returns>
    /// <exception cref="ArgumentException">The destination is too small; <see cref="MaxApplicationDataLength"/> bytes always suffice.</exception>
    public bool TryReadApplicationData(Span<byte> destination, out int written) => TryDequeueInto(_receiveQueue, destination, out written);

    /// <summary>
    /// Seals <paramref name="data"/> into one application data record and queues it as one datagram
    /// (SCTP on top sends one packet per call).
    /// </summary>
    /// <returns>False when the transmit queue is full (the caller should drain it first).</returns>
    /// <exception cref="InvalidOperationException">The connection is not <see cref="DtlsState.Connected"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="data"/> is longer than <see cref="MaxApplicationDataLength"/>.</exception>
    public bool SendApplicationData(ReadOnlySpan<byte> data)
    {
        EnsureCanSend();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxApplicationDataLength, nameof(data));
        if (_transmitQueue.Count >= _options.MaxPendingTransmitDatagrams)
        {
            return false;
        }

        var size = DtlsRecordHeader.Size + _writeProtection!.Overhead + data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var length = SealRecord((byte)DtlsContentType.ApplicationData, 1, data, buffer);
        _transmitQueue.Enqueue(new PooledDatagram(buffer, length));
        return true;
    }

    /// <summary>Seals <paramref name="data"/> as one record straight into <paramref name="destination"/> (no queue, no copy).</summary>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TrySealApplicationData(ReadOnlySpan<byte> data, Span<byte> destination, out int written)
    {
        EnsureCanSend();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxApplicationDataLength, nameof(data));
        if (destination.Length < DtlsRecordHeader.Size + _writeProtection!.Overhead + data.Length)
        {
            written = 0;
            return false;
        }

        written = SealRecord((byte)DtlsContentType.ApplicationData, 1, data, destination);
        return true;
    }

    /// <summary>
    /// Fuzz-harness seam (docs/fuzzing.md): seals <paramref name="plaintext"/> as one epoch-1 record of any content
    /// type with this side's write keys, as soon as it has them (after its ChangeCipherSpec), so a harness can hand
    /// its peer authenticated records whose content it chose. Not used by the stack.
    /// </summary>
    /// <returns>False when there are no write keys yet, the plaintext is too long or the destination too small.</returns>
    internal bool TrySealRecordForFuzzing(byte contentType, ReadOnlySpan<byte> plaintext, Span<byte> destination, out int written)
    {
        written = 0;
        if (_writeProtection is null || plaintext.Length > MaxApplicationDataLength
            || destination.Length < DtlsRecordHeader.Size + _writeProtection.Overhead + plaintext.Length)
        {
            return false;
        }

        written = SealRecord(contentType, 1, plaintext, destination);
        return true;
    }

    /// <summary>Bytes a record adds to an application payload (header plus AEAD expansion); valid once connected.</summary>
    public int RecordOverhead => DtlsRecordHeader.Size + (_writeProtection?.Overhead ?? 24);

    /// <summary>Sends close_notify and moves to <see cref="DtlsState.Closed"/> (RFC 5246 §7.2.1).</summary>
    public void Close()
    {
        if (State is DtlsState.Closed or DtlsState.Failed)
        {
            return;
        }

        if (State != DtlsState.New)
        {
            SendAlert(DtlsAlertLevel.Warning, DtlsAlertDescription.CloseNotify);
        }

        State = DtlsState.Closed;
        _retransmitAt = null;
        _handshakeDeadline = null;
    }

    /// <summary>Keying material exporter (RFC 5705 §4, without context): PRF(master_secret, label, client_random + server_random).</summary>
    /// <exception cref="InvalidOperationException">The handshake is not complete.</exception>
    public void ExportKeyingMaterial(string label, Span<byte> destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        if (State != DtlsState.Connected || _context.MasterSecret is null)
        {
            throw new InvalidOperationException("Keying material is available once the DTLS connection is connected.");
        }

        _context.Suite!.ExportKeyingMaterial(_context.MasterSecret, label, _context.ClientRandom, _context.ServerRandom, destination);
    }

    /// <summary>
    /// Bytes of "EXTRACTOR-dtls_srtp" output the negotiated SRTP profile needs: 2 × (master key + master salt)
    /// (RFC 5764 §4.2; 60 for the AES-CM profiles, 56 for AEAD_AES_128_GCM), or 0 when no profile was negotiated.
    /// </summary>
    public int SrtpKeyingMaterialLength => SrtpProfile switch
    {
        DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80 or DtlsSrtpProtectionProfile.Aes128CmHmacSha1_32 => 2 * (16 + 14),
        DtlsSrtpProtectionProfile.AeadAes128Gcm => 2 * (16 + 12),
        _ => 0,
    };

    /// <summary>
    /// Exports the DTLS-SRTP keying material (client key | server key | client salt | server salt, RFC 5764 §4.2)
    /// into <paramref name="destination"/>, which must be exactly <see cref="SrtpKeyingMaterialLength"/> bytes.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not connected, or no SRTP profile was negotiated.</exception>
    public void ExportSrtpKeyingMaterial(Span<byte> destination)
    {
        if (SrtpKeyingMaterialLength == 0)
        {
            throw new InvalidOperationException("No SRTP protection profile was negotiated.");
        }

        if (destination.Length != SrtpKeyingMaterialLength)
        {
            throw new ArgumentException($"Destination must be {SrtpKeyingMaterialLength} bytes.", nameof(destination));
        }

        ExportKeyingMaterial(SrtpExporterLabel, destination);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writeProtection?.Dispose();
        _readProtection?.Dispose();
        _context.Dispose();

        while (_transmitQueue.TryDequeue(out var d))
        {
            ArrayPool<byte>.Shared.Return(d.Buffer);
        }

        while (_receiveQueue.TryDequeue(out var r))
        {
            ArrayPool<byte>.Shared.Return(r.Buffer);
        }

        if (_packing is not null)
        {
            ArrayPool<byte>.Shared.Return(_packing);
            _packing = null;
        }
    }

    /// <summary>Describes the connection without secrets.</summary>
    public override string ToString() => $"DtlsConnection({_role}, {State}, {CipherSuite})";

    private void EnsureCanSend()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (State != DtlsState.Connected)
        {
            throw new InvalidOperationException($"Cannot send application data in state {State}.");
        }
    }

    /// <summary>Moves the head of <paramref name="queue"/> into <paramref name="destination"/> and returns its buffer to the pool.</summary>
    private static bool TryDequeueInto(Queue<PooledDatagram> queue, Span<byte> destination, out int written)
    {
        if (!queue.TryPeek(out var item))
        {
            written = 0;
            return false;
        }

        if (destination.Length < item.Length)
        {
            throw new ArgumentException($"Destination needs {item.Length} bytes.", nameof(destination));
        }

        queue.Dequeue();
        item.Buffer.AsSpan(0, item.Length).CopyTo(destination);
        written = item.Length;
        ArrayPool<byte>.Shared.Return(item.Buffer);
        return true;
    }

    /// <summary>Writes header + protected payload; returns the record length.</summary>
    private int SealRecord(byte contentType, ushort epoch, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (epoch == 0)
        {
            DtlsRecordHeader.Write(destination, contentType, 0, _writeSequence0++, plaintext.Length);
            plaintext.CopyTo(destination[DtlsRecordHeader.Size..]);
            return DtlsRecordHeader.Size + plaintext.Length;
        }

        // A 48-bit sequence number must never wrap within an epoch (RFC 6347 §4.1); rekeying is not supported.
        if (_writeSequence1 >= MaxSequenceNumber)
        {
            throw new InvalidOperationException("The DTLS record sequence space of this epoch is exhausted.");
        }

        var sequence = _writeSequence1++;
        var sealedLength = _writeProtection!.Seal(contentType, epoch, sequence, plaintext, destination[DtlsRecordHeader.Size..]);
        DtlsRecordHeader.Write(destination, contentType, epoch, sequence, sealedLength);
        return DtlsRecordHeader.Size + sealedLength;
    }

    private void ProcessRecord(DtlsRecordHeader header, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        ReadOnlySpan<byte> plaintext;
        if (header.Epoch == 0)
        {
            // A server still waiting for a (valid) ClientHello keeps no per-client state (RFC 6347 §4.2.1): a
            // spoofed record with a huge sequence number must not move the window and shut out the real client.
            var stateless = _role == DtlsRole.Server && !_handshake.IsStarted;
            if ((!stateless && _replay0.IsReplay(header.SequenceNumber)) || header.ContentType == (byte)DtlsContentType.ApplicationData)
            {
                DroppedRecords++;
                return;
            }

            if (!stateless)
            {
                _replay0.Accept(header.SequenceNumber);
            }

            plaintext = payload;
        }
        else if (header.Epoch == 1 && _readProtection is not null)
        {
            if (_replay1.IsReplay(header.SequenceNumber))
            {
                DroppedRecords++;
                return;
            }

            if (header.ContentType == (byte)DtlsContentType.ApplicationData)
            {
                ReceiveApplicationData(header, payload);
                return;
            }

            if (!_readProtection.TryOpen(header.ContentType, header.Epoch, header.SequenceNumber, payload, _recordScratch, out var length))
            {
                DroppedRecords++;
                return;
            }

            _replay1.Accept(header.SequenceNumber);
            plaintext = _recordScratch.AsSpan(0, length);
        }
        else
        {
            // Unknown epoch, or epoch 1 before its keys exist (reordered Finished): drop; retransmission recovers.
            DroppedRecords++;
            return;
        }

        switch ((DtlsContentType)header.ContentType)
        {
            case DtlsContentType.Handshake:
                ProcessHandshakeRecord(plaintext, header, now);
                break;
            case DtlsContentType.Alert:
                ProcessAlert(plaintext, header.Epoch);
                break;
            case DtlsContentType.ChangeCipherSpec:
                // The epoch in each record header tells which keys apply, so CCS itself carries no state here;
                // a malformed one is dropped (RFC 6347 §4.1: unexpected CCS may be reordered and is harmless).
                if (plaintext.Length != 1 || plaintext[0] != DtlsCodePoint.ChangeCipherSpec)
                {
                    DroppedRecords++;
                }

                break;
            default:
                DroppedRecords++;
                break;
        }
    }

    private void ReceiveApplicationData(DtlsRecordHeader header, ReadOnlySpan<byte> payload)
    {
        var capacity = payload.Length - _readProtection!.Overhead;
        if (State != DtlsState.Connected || capacity < 0 || capacity > MaxApplicationDataLength)
        {
            DroppedRecords++;
            return;
        }

        if (_receiveQueue.Count >= _options.MaxPendingReceiveRecords)
        {
            DroppedApplicationRecords++;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        if (!_readProtection.TryOpen(header.ContentType, header.Epoch, header.SequenceNumber, payload, buffer, out var length))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            DroppedRecords++;
            return;
        }

        _replay1.Accept(header.SequenceNumber);
        _receiveQueue.Enqueue(new PooledDatagram(buffer, length));
    }

    private void ProcessAlert(ReadOnlySpan<byte> plaintext, ushort epoch)
    {
        if (plaintext.Length != 2 || (epoch == 0 && _readProtection is not null && State == DtlsState.Connected))
        {
            // Malformed, or an unauthenticated alert after the keys exist: ignore it (it could be forged).
            DroppedRecords++;
            return;
        }

        var level = plaintext[0];
        var description = (DtlsAlertDescription)plaintext[1];
        if (description == DtlsAlertDescription.CloseNotify)
        {
            // Answer close_notify with close_notify and close (RFC 5246 §7.2.1).
            SendAlert(DtlsAlertLevel.Warning, DtlsAlertDescription.CloseNotify);
            State = DtlsState.Closed;
            _retransmitAt = null;
            _handshakeDeadline = null;
            return;
        }

        if (level == DtlsAlertLevel.Fatal)
        {
            Failure = new DtlsException(DtlsError.AlertReceived, $"The peer sent a fatal DTLS alert: {description}.", description);
            State = DtlsState.Failed;
            _retransmitAt = null;
            _handshakeDeadline = null;
        }
    }

    private void SendAlert(byte level, DtlsAlertDescription description)
    {
        Span<byte> alert = [level, (byte)description];
        var epoch = _activeWriteEpoch;
        var size = DtlsRecordHeader.Size + (epoch == 0 ? 0 : _writeProtection!.Overhead) + 2;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var length = SealRecord((byte)DtlsContentType.Alert, epoch, alert, buffer);
        _transmitQueue.Enqueue(new PooledDatagram(buffer, length));
    }

    /// <summary>Fails the connection, optionally sending a fatal alert first.</summary>
    private void Fail(DtlsError error, DtlsAlertDescription alert, string message, bool sendAlert = true)
    {
        if (State is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }

        if (sendAlert)
        {
            SendAlert(DtlsAlertLevel.Fatal, alert);
        }

        Failure = new DtlsException(error, message, alert);
        State = DtlsState.Failed;
        _retransmitAt = null;
        _handshakeDeadline = null;
    }

    /// <summary>Appends a record to the datagram being packed, flushing first when it would exceed the MTU.</summary>
    private void PackRecord(byte contentType, ushort epoch, ReadOnlySpan<byte> plaintext)
    {
        var size = DtlsRecordHeader.Size + (epoch == 0 ? 0 : _writeProtection!.Overhead) + plaintext.Length;
        if (_packing is not null && _packingLength + size > _options.MaximumTransmissionUnit)
        {
            FlushPacking();
        }

        _packing ??= ArrayPool<byte>.Shared.Rent(Math.Max(_options.MaximumTransmissionUnit, size));
        _packingLength += SealRecord(contentType, epoch, plaintext, _packing.AsSpan(_packingLength));
    }

    private void FlushPacking()
    {
        if (_packing is null)
        {
            return;
        }

        if (_packingLength > 0)
        {
            _transmitQueue.Enqueue(new PooledDatagram(_packing, _packingLength));
        }
        else
        {
            ArrayPool<byte>.Shared.Return(_packing);
        }

        _packing = null;
        _packingLength = 0;
    }

    /// <summary>Splits a handshake record into fragments, reassembles them and hands whole messages to the flight handler in order.</summary>
    private void ProcessHandshakeRecord(ReadOnlySpan<byte> plaintext, DtlsRecordHeader header, TimeSpan now)
    {
        var sawOld = false;
        while (plaintext.Length > 0)
        {
            if (!DtlsHandshakeHeader.TryRead(plaintext, out var fragmentHeader, out var fragment, out var consumed))
            {
                DroppedRecords++;
                return;
            }

            plaintext = plaintext[consumed..];
            if (_handshake is DtlsServerFlights server && !server.IsStarted)
            {
                // Stateless until the cookie checks out (RFC 6347 §4.2.1): only ClientHellos are looked at. A whole
                // one is handled at once; fragments (RFC 6347 §4.2.3; Chromium splits large ClientHellos across
                // datagrams) go to a small fixed-size assembler, the only state kept before the handshake starts.
                var sequence = fragmentHeader.MessageSequence;
                if (fragmentHeader.Type != (byte)DtlsHandshakeType.ClientHello)
                {
                    DroppedRecords++;
                }
                else if (fragmentHeader.IsWhole)
                {
                    if (!server.HandleInitialClientHello(fragment, sequence, header.SequenceNumber, now))
                    {
                        DroppedRecords++;
                    }
                }
                else if (_clientHelloAssembler.Add(sequence, fragmentHeader.Length, fragmentHeader.FragmentOffset, fragment, header.SequenceNumber, out var whole, out var lastRecord, out var dropped))
                {
                    if (!server.HandleInitialClientHello(whole, sequence, lastRecord, now))
                    {
                        DroppedRecords++;
                    }
                }
                else if (dropped)
                {
                    DroppedRecords++;
                }

                if (State is DtlsState.Failed)
                {
                    return;
                }

                continue;
            }

            var result = _reassembler.Add(
                _nextReceiveSequence, fragmentHeader.Type, fragmentHeader.Length, fragmentHeader.MessageSequence, fragmentHeader.FragmentOffset, fragment, header.Epoch);
            if (result == DtlsHandshakeReassembler.Result.Old && fragmentHeader.MessageSequence < _peerFlightStart)
            {
                sawOld = true;
            }
            else if (result == DtlsHandshakeReassembler.Result.Dropped)
            {
                DroppedRecords++;
            }
        }

        while (State is DtlsState.Connecting or DtlsState.Connected &&
               _reassembler.TryTake(_nextReceiveSequence, out var messageType, out var body, out var epoch))
        {
            var sequence = _nextReceiveSequence++;
            _handshake.Handle((DtlsHandshakeType)messageType, sequence, body, epoch, now);
        }

        // A retransmitted message of the peer's previous flight means our last flight was lost (RFC 6347 §4.2.4).
        // The side that sent the final flight (the server) keeps answering; the client stops once connected.
        // Rate-limited so forged epoch-0 duplicates cannot turn this endpoint into an amplifier.
        if (sawOld && !_retransmittedForThisDatagram && _context.Flight.Messages.Count > 0 &&
            State is DtlsState.Connecting or DtlsState.Connected && (!_handshake.IsDone || _handshake.SendsFinalFlight) &&
            (_lastDuplicateRetransmit is not { } last || now - last >= s_minDuplicateRetransmitInterval))
        {
            _retransmittedForThisDatagram = true;
            _lastDuplicateRetransmit = now;
            EmitFlight();
        }
    }

    /// <summary>Writes the current flight as records packed into MTU-sized datagrams, fragmenting large messages (RFC 6347 §4.2.3).</summary>
    private void EmitFlight()
    {
        if (_transmitQueue.Count >= _options.MaxPendingTransmitDatagrams)
        {
            // The driver is not draining; the retransmission timer will try again.
            return;
        }

        byte[]? fragment = null;
        foreach (var message in _context.Flight.Messages)
        {
            var contentType = (byte)message.ContentType;
            if (message.ContentType != DtlsContentType.Handshake)
            {
                PackRecord(contentType, message.Epoch, message.Data);
                continue;
            }

            var overhead = DtlsRecordHeader.Size + DtlsHandshakeHeader.Size + (message.Epoch == 0 ? 0 : _writeProtection!.Overhead);
            var maxFragment = _options.MaximumTransmissionUnit - overhead;
            var body = message.Data.AsSpan(DtlsHandshakeHeader.Size);
            if (body.Length <= maxFragment)
            {
                PackRecord(contentType, message.Epoch, message.Data);
                continue;
            }

            var type = (DtlsHandshakeType)message.Data[0];
            var sequence = (message.Data[4] << 8) | message.Data[5];
            fragment ??= new byte[_options.MaximumTransmissionUnit];
            for (var offset = 0; offset < body.Length; offset += maxFragment)
            {
                var length = Math.Min(maxFragment, body.Length - offset);
                DtlsHandshakeHeader.Write(fragment, type, body.Length, sequence, offset, length);
                body.Slice(offset, length).CopyTo(fragment.AsSpan(DtlsHandshakeHeader.Size));
                PackRecord(contentType, message.Epoch, fragment.AsSpan(0, DtlsHandshakeHeader.Size + length));
            }
        }

        FlushPacking();
    }

    // ---------------------------------------------------------------- IDtlsHandshakeHost (for the flight handlers)

    void IDtlsHandshakeHost.Fail(DtlsError error, DtlsAlertDescription alert, string message) => Fail(error, alert, message);

    void IDtlsHandshakeHost.SendAlert(byte level, DtlsAlertDescription description) => SendAlert(level, description);

    void IDtlsHandshakeHost.CountDropped() => DroppedRecords++;

    void IDtlsHandshakeHost.SendFlight(TimeSpan now, bool expectResponse)
    {
        // Messages below this message_seq belong to the peer's previous flight: seeing one again means ours was lost.
        _peerFlightStart = _nextReceiveSequence;
        _retransmitTimeout = _options.InitialRetransmitTimeout;
        _retransmitAt = expectResponse ? now + _retransmitTimeout : null;
        EmitFlight();
    }

    void IDtlsHandshakeHost.InstallRecordProtection(DtlsRecordProtection write, DtlsRecordProtection read)
    {
        _writeProtection?.Dispose();
        _readProtection?.Dispose();
        (_writeProtection, _readProtection) = (write, read);
    }

    void IDtlsHandshakeHost.ActivateWriteEpoch1() => _activeWriteEpoch = 1;

    void IDtlsHandshakeHost.StopRetransmitting() => _retransmitAt = null;

    void IDtlsHandshakeHost.CompleteHandshake()
    {
        _handshakeDeadline = null;
        State = DtlsState.Connected;
    }

    void IDtlsHandshakeHost.BeginServerHandshake(TimeSpan now, ushort clientHelloMessageSequence, ulong clientHelloRecordSequence)
    {
        _clientHelloAssembler.Clear();
        State = DtlsState.Connecting;
        _handshakeDeadline = now + _options.HandshakeTimeout;
        _nextReceiveSequence = clientHelloMessageSequence + 1;
        _context.Flight.NextSendSequence = clientHelloMessageSequence;

        // Continue epoch-0 numbering after the ClientHello's so records never repeat the HelloVerifyRequest's (RFC 6347 §4.2.1).
        _writeSequence0 = Math.Max(_writeSequence0, clientHelloRecordSequence);
    }

    void IDtlsHandshakeHost.SendStateless(ReadOnlySpan<byte> handshakeMessage, ulong recordSequence)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DtlsRecordHeader.Size + handshakeMessage.Length);
        DtlsRecordHeader.Write(buffer, (byte)DtlsContentType.Handshake, 0, recordSequence, handshakeMessage.Length);
        handshakeMessage.CopyTo(buffer.AsSpan(DtlsRecordHeader.Size));
        _transmitQueue.Enqueue(new PooledDatagram(buffer, DtlsRecordHeader.Size + handshakeMessage.Length));
    }

    /// <summary>A rented buffer and the length of its content.</summary>
    private readonly record struct PooledDatagram(byte[] Buffer, int Length);
}
