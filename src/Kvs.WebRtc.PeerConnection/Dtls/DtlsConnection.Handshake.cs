using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>The handshake state machine: flights, retransmission, and both roles' messages (RFC 6347 §4.2, RFC 5246 §7.4).</summary>
internal sealed partial class DtlsConnection
{
    /// <summary>Cap on the transcript kept for Finished and CertificateVerify (a handshake is a few KiB).</summary>
    private const int MaxTranscriptLength = 64 * 1024;

    private const int CookieLength = 32;

    /// <summary>Least time between two retransmissions triggered by the peer repeating its previous flight.</summary>
    private static readonly TimeSpan s_minDuplicateRetransmitInterval = TimeSpan.FromMilliseconds(50);

    private readonly byte[] _cookieSecret = new byte[32];
    private readonly DtlsHandshakeReassembler _reassembler = new();
    private readonly DtlsClientHelloAssembler _clientHelloAssembler = new();
    private readonly List<FlightMessage> _flight = [];
    private DtlsWriter _transcript = new();
    private Step _step = Step.Idle;
    private int _nextSendSequence;
    private int _nextReceiveSequence;
    private int _peerFlightStart;
    private bool _retransmittedForThisDatagram;
    private TimeSpan? _lastDuplicateRetransmit;
    private byte[] _clientRandom = new byte[32];
    private byte[] _serverRandom = new byte[32];
    private byte[]? _masterSecret;
    private byte[]? _preMasterSecret;
    private ECDiffieHellman? _ecdh;
    private ECDsa? _peerKey;
    private DtlsClientHello? _sentClientHello;
    private bool _certificateRequested;
    private bool _peerSentCertificate;
    private bool _fingerprintVerified;

    /// <summary>What the handshake waits for next.</summary>
    private enum Step
    {
        Idle,
        ClientAwaitServerHello,
        ClientAwaitCertificate,
        ClientAwaitServerKeyExchange,
        ClientAwaitCertificateRequestOrDone,
        ClientAwaitServerHelloDone,
        ClientAwaitFinished,
        ServerAwaitCertificate,
        ServerAwaitClientKeyExchange,
        ServerAwaitCertificateVerify,
        ServerAwaitFinished,
        Done,
    }

    private void StartClientHandshake(TimeSpan now)
    {
        RandomNumberGenerator.Fill(_clientRandom);
        var hello = new DtlsClientHello
        {
            Random = _clientRandom,
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = true,
        };
        foreach (var suite in _options.EffectiveCipherSuites)
        {
            hello.CipherSuites.Add((ushort)suite);
        }

        hello.SupportedGroups.Add(DtlsExtensionType.Secp256r1);
        hello.SupportedGroups.Add(DtlsExtensionType.Secp384r1);
        hello.SignatureAlgorithms.Add(DtlsExtensionType.EcdsaSecp256r1Sha256);
        hello.SignatureAlgorithms.Add(DtlsExtensionType.EcdsaSecp384r1Sha384);
        hello.SignatureAlgorithms.Add(DtlsExtensionType.EcdsaSecp521r1Sha512);
        foreach (var profile in _options.SrtpProfiles)
        {
            hello.SrtpProfiles.Add((ushort)profile);
        }

        _sentClientHello = hello;
        _step = Step.ClientAwaitServerHello;
        SendClientHello(now);
    }

    private void SendClientHello(TimeSpan now)
    {
        var writer = new DtlsWriter();
        _sentClientHello!.Write(writer);
        BeginFlight();
        AddHandshakeToFlight(DtlsHandshakeType.ClientHello, writer.WrittenSpan);
        SendFlight(now, expectResponse: true);
    }

    /// <summary>ClientHellos a stateless server is assembling from fragments (for tests; at most <see cref="DtlsClientHelloAssembler.Slots"/>).</summary>
    internal int PartialClientHellos => _clientHelloAssembler.BufferedMessages;

    private void ProcessHandshakeRecord(ReadOnlySpan<byte> plaintext, DtlsRecordHeader header, TimeSpan now)
    {
        var sawOld = false;
        while (plaintext.Length > 0)
        {
            if (plaintext.Length < HandshakeHeaderLength)
            {
                DroppedRecords++;
                return;
            }

            var type = plaintext[0];
            var length = ReadUInt24(plaintext[1..]);
            var sequence = BinaryPrimitives.ReadUInt16BigEndian(plaintext[4..]);
            var offset = ReadUInt24(plaintext[6..]);
            var fragmentLength = ReadUInt24(plaintext[9..]);
            if (HandshakeHeaderLength + fragmentLength > plaintext.Length || offset + fragmentLength > length)
            {
                DroppedRecords++;
                return;
            }

            var fragment = plaintext.Slice(HandshakeHeaderLength, fragmentLength);
            plaintext = plaintext[(HandshakeHeaderLength + fragmentLength)..];

            if (_role == DtlsRole.Server && _step == Step.Idle)
            {
                // Stateless until the cookie checks out (RFC 6347 §4.2.1): only ClientHellos are looked at. A whole
                // one is handled at once; fragments (RFC 6347 §4.2.3; Chromium splits large ClientHellos across
                // datagrams) go to a small fixed-size assembler, the only state kept before the handshake starts.
                if (type != (byte)DtlsHandshakeType.ClientHello)
                {
                    DroppedRecords++;
                }
                else if (offset == 0 && fragmentLength == length)
                {
                    HandleInitialClientHello(fragment, sequence, header.SequenceNumber, now);
                }
                else if (_clientHelloAssembler.Add(sequence, length, offset, fragment, header.SequenceNumber, out var whole, out var lastRecord, out var dropped))
                {
                    HandleInitialClientHello(whole, sequence, lastRecord, now);
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

            var result = _reassembler.Add(_nextReceiveSequence, type, length, sequence, offset, fragment, header.Epoch);
            if (result == DtlsHandshakeReassembler.Result.Old && sequence < _peerFlightStart)
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
            _nextReceiveSequence++;
            ProcessMessage((DtlsHandshakeType)messageType, body, epoch, now);
        }

        // A retransmitted message of the peer's previous flight means our last flight was lost (RFC 6347 §4.2.4).
        // The side that sent the final flight (the server) keeps answering; the client stops once connected.
        // Rate-limited so forged epoch-0 duplicates cannot turn this endpoint into an amplifier.
        if (sawOld && !_retransmittedForThisDatagram && _flight.Count > 0 &&
            State is DtlsState.Connecting or DtlsState.Connected && (_step != Step.Done || _role == DtlsRole.Server) &&
            (_lastDuplicateRetransmit is not { } last || now - last >= s_minDuplicateRetransmitInterval))
        {
            _retransmittedForThisDatagram = true;
            _lastDuplicateRetransmit = now;
            EmitFlight();
        }
    }

    private void ProcessMessage(DtlsHandshakeType type, byte[] body, ushort epoch, TimeSpan now)
    {
        try
        {
            switch (_step, type)
            {
                case (Step.ClientAwaitServerHello, DtlsHandshakeType.HelloVerifyRequest):
                    OnHelloVerifyRequest(body, now);
                    break;
                case (Step.ClientAwaitServerHello, DtlsHandshakeType.ServerHello):
                    OnServerHello(body);
                    break;
                case (Step.ClientAwaitCertificate, DtlsHandshakeType.Certificate):
                    AppendTranscript(type, body);
                    if (OnPeerCertificate(body))
                    {
                        _step = Step.ClientAwaitServerKeyExchange;
                    }

                    break;
                case (Step.ClientAwaitServerKeyExchange, DtlsHandshakeType.ServerKeyExchange):
                    AppendTranscript(type, body);
                    OnServerKeyExchange(body);
                    break;
                case (Step.ClientAwaitCertificateRequestOrDone, DtlsHandshakeType.CertificateRequest):
                    AppendTranscript(type, body);
                    OnCertificateRequest(body);
                    break;
                case (Step.ClientAwaitCertificateRequestOrDone or Step.ClientAwaitServerHelloDone, DtlsHandshakeType.ServerHelloDone):
                    AppendTranscript(type, body);
                    OnServerHelloDone(body, now);
                    break;
                case (Step.ClientAwaitFinished, DtlsHandshakeType.Finished):
                    OnFinished(body, epoch, now);
                    break;
                case (Step.ServerAwaitCertificate, DtlsHandshakeType.Certificate):
                    AppendTranscript(type, body);
                    if (OnPeerCertificate(body))
                    {
                        _step = Step.ServerAwaitClientKeyExchange;
                    }

                    break;
                case (Step.ServerAwaitClientKeyExchange, DtlsHandshakeType.ClientKeyExchange):
                    AppendTranscript(type, body);
                    OnClientKeyExchange(body);
                    break;
                case (Step.ServerAwaitCertificateVerify, DtlsHandshakeType.CertificateVerify):
                    OnCertificateVerify(body);
                    break;
                case (Step.ServerAwaitFinished, DtlsHandshakeType.Finished):
                    OnFinished(body, epoch, now);
                    break;
                case (Step.Done, DtlsHandshakeType.ClientHello or DtlsHandshakeType.HelloRequest) when epoch > 0:
                    // Renegotiation is not supported (WebRTC never renegotiates): refuse politely (RFC 5746 §4.5).
                    SendAlert(1, DtlsAlertDescription.NoRenegotiation);
                    break;
                case (Step.Done, _):
                    // After the handshake, unprotected or unexpected handshake messages cannot be trusted to end
                    // the connection (anyone on the path could forge them): drop them.
                    DroppedRecords++;
                    break;
                default:
                    Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.UnexpectedMessage, $"Unexpected handshake message {type} while waiting in step {_step}.");
                    break;
            }
        }
        catch (CryptographicException)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, $"Invalid cryptographic parameters in {type}.");
        }
    }

    // ---------------------------------------------------------------- client

    private void OnHelloVerifyRequest(byte[] body, TimeSpan now)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out _) || !reader.TryReadVector8(out var cookie) || reader.Remaining != 0 || cookie.Length == 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed HelloVerifyRequest.");
            return;
        }

        // The first ClientHello and the HelloVerifyRequest are not part of the transcript (RFC 6347 §4.2.6).
        _transcript = new DtlsWriter();
        _sentClientHello!.Cookie = cookie.ToArray();
        SendClientHello(now);
    }

    private void OnServerHello(byte[] body)
    {
        if (!DtlsServerHello.TryParse(body, out var hello))
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerHello.");
            return;
        }

        AppendTranscript(DtlsHandshakeType.ServerHello, body);
        if (hello.Version != DtlsRecordHeader.Dtls12)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.ProtocolVersion, "The server did not select DTLS 1.2.");
            return;
        }

        if (!_options.EffectiveCipherSuites.Contains((DtlsCipherSuite)hello.CipherSuite))
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, $"The server selected cipher suite 0x{hello.CipherSuite:X4}, which was not offered.");
            return;
        }

        if (!hello.HasExtendedMasterSecret)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The server does not support the extended master secret (RFC 7627), which is required.");
            return;
        }

        if (hello.SrtpProfile != 0)
        {
            if (!_options.SrtpProfiles.Contains((DtlsSrtpProtectionProfile)hello.SrtpProfile))
            {
                Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, "The server selected an SRTP profile that was not offered.");
                return;
            }

            SrtpProfile = (DtlsSrtpProtectionProfile)hello.SrtpProfile;
        }

        CipherSuite = (DtlsCipherSuite)hello.CipherSuite;
        _serverRandom = hello.Random;
        _step = Step.ClientAwaitCertificate;
    }

    private void OnServerKeyExchange(byte[] body)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadByte(out var curveType) || curveType != 3 || !reader.TryReadUInt16(out var group) ||
            !reader.TryReadVector8(out var point))
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerKeyExchange.");
            return;
        }

        var paramsLength = body.Length - reader.Remaining;
        if (!reader.TryReadUInt16(out var scheme) || !reader.TryReadVector16(out var signature) || reader.Remaining != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerKeyExchange signature.");
            return;
        }

        // signed_params = client_random + server_random + ServerECDHParams (RFC 8422 §5.4).
        var signed = new byte[64 + paramsLength];
        _clientRandom.CopyTo(signed, 0);
        _serverRandom.CopyTo(signed, 32);
        body.AsSpan(0, paramsLength).CopyTo(signed.AsSpan(64));
        if (!VerifyPeerSignature(scheme, signed, signature))
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The ServerKeyExchange signature does not verify.");
            return;
        }

        if (!TryCreateKeyShare(group, out var curve))
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, $"The server chose unsupported group {group}.");
            return;
        }

        _preMasterSecret = DeriveSharedSecret(curve, point);
        if (_preMasterSecret is null)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, "The server's ECDH public key is invalid.");
            return;
        }

        _step = Step.ClientAwaitCertificateRequestOrDone;
    }

    private void OnCertificateRequest(byte[] body)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector8(out var types) || types.IsEmpty || !reader.TryReadVector16(out _) ||
            !reader.TryReadVector16(out _) || reader.Remaining != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed CertificateRequest.");
            return;
        }

        _certificateRequested = true;
        _step = Step.ClientAwaitServerHelloDone;
    }

    private void OnServerHelloDone(byte[] body, TimeSpan now)
    {
        if (body.Length != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerHelloDone.");
            return;
        }

        // Flight 5: [Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec Finished (RFC 6347 §4.2.4).
        BeginFlight();
        if (_certificateRequested)
        {
            AddHandshakeToFlight(DtlsHandshakeType.Certificate, BuildCertificateBody());
        }

        var keyExchange = new DtlsWriter();
        var publicPoint = EncodePublicPoint(_ecdh!);
        keyExchange.WriteByte((byte)publicPoint.Length);
        keyExchange.WriteBytes(publicPoint);
        AddHandshakeToFlight(DtlsHandshakeType.ClientKeyExchange, keyExchange.WrittenSpan);
        ComputeMasterSecret();

        if (_certificateRequested)
        {
            var verify = new DtlsWriter();
            verify.WriteUInt16(DtlsExtensionType.EcdsaSecp256r1Sha256);
            var signature = _certificate.PrivateKey.SignData(_transcript.WrittenSpan, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            verify.WriteUInt16((ushort)signature.Length);
            verify.WriteBytes(signature);
            AddHandshakeToFlight(DtlsHandshakeType.CertificateVerify, verify.WrittenSpan);
        }

        AddChangeCipherSpecAndFinished("client finished");
        _step = Step.ClientAwaitFinished;
        SendFlight(now, expectResponse: true);
    }

    // ---------------------------------------------------------------- server

    private void HandleInitialClientHello(ReadOnlySpan<byte> body, ushort messageSequence, ulong recordSequence, TimeSpan now)
    {
        if (!DtlsClientHello.TryParse(body, out var hello))
        {
            DroppedRecords++;
            return;
        }

        // DTLS versions count down: 0xFEFD (1.2) is below 0xFEFF (1.0).
        if (hello.Version > DtlsRecordHeader.Dtls12)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.ProtocolVersion, "The client does not offer DTLS 1.2.");
            return;
        }

        Span<byte> expected = stackalloc byte[CookieLength];
        ComputeCookie(hello, expected);
        if (_options.UseCookieExchange && (hello.Cookie.Length != CookieLength || !CryptographicOperations.FixedTimeEquals(hello.Cookie, expected)))
        {
            SendHelloVerifyRequest(expected, messageSequence, recordSequence);
            return;
        }

        _clientHelloAssembler.Clear();
        State = DtlsState.Connecting;
        _handshakeDeadline = now + _options.HandshakeTimeout;
        _nextReceiveSequence = messageSequence + 1;
        _nextSendSequence = messageSequence;

        // Continue epoch-0 numbering after the ClientHello's so records never repeat the HelloVerifyRequest's (RFC 6347 §4.2.1).
        _writeSequence0 = Math.Max(_writeSequence0, recordSequence);
        _transcript = new DtlsWriter();
        AppendTranscript(DtlsHandshakeType.ClientHello, body, messageSequence);
        _clientRandom = hello.Random;

        DtlsCipherSuite? selected = null;
        foreach (var suite in _options.EffectiveCipherSuites)
        {
            if (hello.CipherSuites.Contains((ushort)suite))
            {
                selected = suite;
                break;
            }
        }

        if (selected is null)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "No common cipher suite with the client.");
            return;
        }

        if (!hello.HasExtendedMasterSecret)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The client does not support the extended master secret (RFC 7627), which is required.");
            return;
        }

        ushort group = 0;
        if (hello.SupportedGroups.Count == 0 || hello.SupportedGroups.Contains(DtlsExtensionType.Secp256r1))
        {
            group = DtlsExtensionType.Secp256r1;
        }
        else if (hello.SupportedGroups.Contains(DtlsExtensionType.Secp384r1))
        {
            group = DtlsExtensionType.Secp384r1;
        }

        if (group == 0 || !TryCreateKeyShare(group, out _))
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "No common elliptic curve with the client (P-256 or P-384 required).");
            return;
        }

        if (hello.SignatureAlgorithms.Count > 0 && !hello.SignatureAlgorithms.Contains(DtlsExtensionType.EcdsaSecp256r1Sha256))
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The client does not accept ecdsa_secp256r1_sha256 signatures.");
            return;
        }

        foreach (var profile in _options.SrtpProfiles)
        {
            if (hello.SrtpProfiles.Contains((ushort)profile))
            {
                SrtpProfile = profile;
                break;
            }
        }

        CipherSuite = selected;
        RandomNumberGenerator.Fill(_serverRandom);

        // Flight 4: ServerHello Certificate ServerKeyExchange CertificateRequest ServerHelloDone.
        BeginFlight();
        var serverHello = new DtlsServerHello
        {
            Random = _serverRandom,
            CipherSuite = (ushort)selected.Value,
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = hello.HasRenegotiationInfo,
            HasEcPointFormats = hello.HasEcPointFormats,
            SrtpProfile = SrtpProfile is { } p ? (ushort)p : (ushort)0,
        };
        var writer = new DtlsWriter();
        serverHello.Write(writer);
        AddHandshakeToFlight(DtlsHandshakeType.ServerHello, writer.WrittenSpan);
        AddHandshakeToFlight(DtlsHandshakeType.Certificate, BuildCertificateBody());

        var keyExchange = new DtlsWriter();
        keyExchange.WriteByte(3); // named_curve
        keyExchange.WriteUInt16(group);
        var point = EncodePublicPoint(_ecdh!);
        keyExchange.WriteByte((byte)point.Length);
        keyExchange.WriteBytes(point);
        var signed = new byte[64 + keyExchange.Length];
        _clientRandom.CopyTo(signed, 0);
        _serverRandom.CopyTo(signed, 32);
        keyExchange.WrittenSpan.CopyTo(signed.AsSpan(64));
        var signature = _certificate.PrivateKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        keyExchange.WriteUInt16(DtlsExtensionType.EcdsaSecp256r1Sha256);
        keyExchange.WriteUInt16((ushort)signature.Length);
        keyExchange.WriteBytes(signature);
        AddHandshakeToFlight(DtlsHandshakeType.ServerKeyExchange, keyExchange.WrittenSpan);

        if (_options.RequireClientCertificate)
        {
            var request = new DtlsWriter();
            request.WriteByte(1);
            request.WriteByte(64); // ecdsa_sign
            request.WriteUInt16(4);
            request.WriteUInt16(DtlsExtensionType.EcdsaSecp256r1Sha256);
            request.WriteUInt16(DtlsExtensionType.EcdsaSecp384r1Sha384);
            request.WriteUInt16(0); // no certificate_authorities
            AddHandshakeToFlight(DtlsHandshakeType.CertificateRequest, request.WrittenSpan);
            _certificateRequested = true;
        }

        AddHandshakeToFlight(DtlsHandshakeType.ServerHelloDone, []);
        _step = _certificateRequested ? Step.ServerAwaitCertificate : Step.ServerAwaitClientKeyExchange;
        SendFlight(now, expectResponse: true);
    }

    private void SendHelloVerifyRequest(ReadOnlySpan<byte> cookie, ushort messageSequence, ulong recordSequence)
    {
        // Stateless: nothing is remembered; the record reuses the ClientHello's sequence number (RFC 6347 §4.2.1).
        var message = new byte[HandshakeHeaderLength + 3 + cookie.Length];
        var bodyLength = 3 + cookie.Length;
        WriteHandshakeHeader(message, DtlsHandshakeType.HelloVerifyRequest, bodyLength, messageSequence, 0, bodyLength);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(HandshakeHeaderLength), DtlsRecordHeader.Dtls10);
        message[HandshakeHeaderLength + 2] = (byte)cookie.Length;
        cookie.CopyTo(message.AsSpan(HandshakeHeaderLength + 3));
        var buffer = ArrayPool<byte>.Shared.Rent(DtlsRecordHeader.Size + message.Length);
        DtlsRecordHeader.Write(buffer, (byte)DtlsContentType.Handshake, 0, recordSequence, message.Length);
        message.CopyTo(buffer.AsSpan(DtlsRecordHeader.Size));
        _transmitQueue.Enqueue(new PooledDatagram(buffer, DtlsRecordHeader.Size + message.Length));
    }

    /// <summary>Cookie = HMAC-SHA256(secret, client_random || suites/compression/extensions) (RFC 6347 §4.2.1).</summary>
    private void ComputeCookie(DtlsClientHello hello, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _cookieSecret);
        hmac.AppendData(hello.Random);
        hmac.AppendData(hello.SessionId);
        hmac.AppendData(hello.CookieCoveredTail);
        hmac.GetHashAndReset(destination);
    }

    private void OnClientKeyExchange(byte[] body)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector8(out var point) || reader.Remaining != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ClientKeyExchange.");
            return;
        }

        var curve = _ecdh!.ExportParameters(false).Curve;
        _preMasterSecret = DeriveSharedSecret(curve, point);
        if (_preMasterSecret is null)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, "The client's ECDH public key is invalid.");
            return;
        }

        ComputeMasterSecret();
        _step = _peerSentCertificate ? Step.ServerAwaitCertificateVerify : Step.ServerAwaitFinished;
    }

    private void OnCertificateVerify(byte[] body)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadUInt16(out var scheme) || !reader.TryReadVector16(out var signature) || reader.Remaining != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed CertificateVerify.");
            return;
        }

        if (!VerifyPeerSignature(scheme, _transcript.WrittenSpan, signature))
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The client's CertificateVerify signature does not verify.");
            return;
        }

        AppendTranscript(DtlsHandshakeType.CertificateVerify, body);
        _step = Step.ServerAwaitFinished;
    }

    // ---------------------------------------------------------------- shared

    private bool OnPeerCertificate(byte[] body)
    {
        var reader = new DtlsReader(body);
        if (!reader.TryReadVector24(out var list) || reader.Remaining != 0)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed Certificate message.");
            return false;
        }

        var entries = new DtlsReader(list);
        if (list.IsEmpty || !entries.TryReadVector24(out var leaf) || leaf.IsEmpty)
        {
            Fail(DtlsError.FingerprintMismatch, DtlsAlertDescription.HandshakeFailure, "The peer sent no certificate; WebRTC requires one to match the SDP fingerprint.");
            return false;
        }

        // Without fingerprints yet (remote SDP not applied), the check is deferred to SetRemoteFingerprints.
        if (_remoteFingerprints.Length > 0 && !VerifyRemoteFingerprint(leaf))
        {
            return false;
        }

        try
        {
#pragma warning disable SYSLIB0057 // X509CertificateLoader does not exist on net8.0.
            using var certificate = new X509Certificate2(leaf.ToArray());
#pragma warning restore SYSLIB0057
            _peerKey = certificate.GetECDsaPublicKey();
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException or ArgumentException)
        {
            _peerKey = null;
        }

        if (_peerKey is null)
        {
            Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.UnsupportedCertificate, "The peer's certificate does not carry an ECDSA public key.");
            return false;
        }

        RemoteCertificate = leaf.ToArray();
        _peerSentCertificate = true;
        return true;
    }

    /// <summary>Checks <paramref name="leaf"/> against the remote fingerprints; on mismatch fails the connection.</summary>
    private bool VerifyRemoteFingerprint(ReadOnlySpan<byte> leaf)
    {
        foreach (var fingerprint in _remoteFingerprints)
        {
            if (fingerprint.Matches(leaf))
            {
                _fingerprintVerified = true;
                return true;
            }
        }

        var presented = DtlsFingerprint.Compute("sha-256", leaf);
        Fail(
            DtlsError.FingerprintMismatch,
            DtlsAlertDescription.BadCertificate,
            $"The peer's certificate ({presented}) matches none of the fingerprints in the remote SDP ({string.Join(", ", _remoteFingerprints.Select(f => f.ToString()))}).");
        return false;
    }

    /// <summary>Enters <see cref="DtlsState.Connected"/> once the Finished exchange is done and the fingerprint matched.</summary>
    private void CompleteHandshake()
    {
        _handshakeDeadline = null;
        State = DtlsState.Connected;
    }

    private void OnFinished(byte[] body, ushort epoch, TimeSpan now)
    {
        if (epoch != 1)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.UnexpectedMessage, "Finished arrived unprotected.");
            return;
        }

        var peerLabel = _role == DtlsRole.Client ? "server finished" : "client finished";
        Span<byte> expected = stackalloc byte[12];
        ComputeVerifyData(peerLabel, expected);
        if (body.Length != 12 || !CryptographicOperations.FixedTimeEquals(expected, body))
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The peer's Finished does not verify.");
            return;
        }

        AppendTranscript(DtlsHandshakeType.Finished, body);
        if (_role == DtlsRole.Server)
        {
            // Flight 6: ChangeCipherSpec Finished; no timer, it is resent when flight 5 is seen again (RFC 6347 §4.2.4).
            BeginFlight();
            AddChangeCipherSpecAndFinished("server finished");
            SendFlight(now, expectResponse: false);
        }

        _retransmitAt = null;
        _step = Step.Done;
        if (_preMasterSecret is not null)
        {
            CryptographicOperations.ZeroMemory(_preMasterSecret);
            _preMasterSecret = null;
        }

        // With the fingerprint still unknown the connection waits in Connecting (the handshake deadline still runs).
        if (_fingerprintVerified || (!_certificateRequested && _role == DtlsRole.Server))
        {
            CompleteHandshake();
        }
    }

    private void AddChangeCipherSpecAndFinished(string label)
    {
        _flight.Add(new FlightMessage((byte)DtlsContentType.ChangeCipherSpec, 0, [1]));
        _activeWriteEpoch = 1;
        Span<byte> verifyData = stackalloc byte[12];
        ComputeVerifyData(label, verifyData);
        AddHandshakeToFlight(DtlsHandshakeType.Finished, verifyData, epoch: 1);
    }

    /// <summary>verify_data = PRF(master_secret, label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9).</summary>
    private void ComputeVerifyData(string label, Span<byte> destination)
    {
        var hash = DtlsCipherSuiteInfo.PrfHash(CipherSuite!.Value);
        DtlsPrf.Compute(hash, _masterSecret, label, DtlsPrf.Hash(hash, _transcript.WrittenSpan), destination);
    }

    /// <summary>Extended master secret and key block (RFC 7627 §4, RFC 5246 §6.3).</summary>
    private void ComputeMasterSecret()
    {
        var suite = CipherSuite!.Value;
        var hash = DtlsCipherSuiteInfo.PrfHash(suite);
        var sessionHash = DtlsPrf.Hash(hash, _transcript.WrittenSpan);
        _masterSecret = new byte[48];
        DtlsPrf.Compute(hash, _preMasterSecret, "extended master secret", sessionHash, _masterSecret);

        var keyLength = DtlsCipherSuiteInfo.KeyLength(suite);
        var ivLength = DtlsCipherSuiteInfo.FixedIvLength(suite);
        var keyBlock = new byte[2 * (keyLength + ivLength)];
        var seed = new byte[64];
        _serverRandom.CopyTo(seed, 0);
        _clientRandom.CopyTo(seed, 32);
        DtlsPrf.Compute(hash, _masterSecret, "key expansion", seed, keyBlock);
        var span = keyBlock.AsSpan();
        var clientKey = span[..keyLength];
        var serverKey = span.Slice(keyLength, keyLength);
        var clientIv = span.Slice(2 * keyLength, ivLength);
        var serverIv = span.Slice((2 * keyLength) + ivLength, ivLength);
        var client = new DtlsRecordProtection(suite, clientKey, clientIv);
        var server = new DtlsRecordProtection(suite, serverKey, serverIv);
        CryptographicOperations.ZeroMemory(keyBlock);
        (_writeProtection, _readProtection) = _role == DtlsRole.Client ? (client, server) : (server, client);
    }

    private bool VerifyPeerSignature(ushort scheme, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var hash = scheme switch
        {
            DtlsExtensionType.EcdsaSecp256r1Sha256 => HashAlgorithmName.SHA256,
            DtlsExtensionType.EcdsaSecp384r1Sha384 => HashAlgorithmName.SHA384,
            DtlsExtensionType.EcdsaSecp521r1Sha512 => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default || _peerKey is null)
        {
            return false;
        }

        try
        {
            return _peerKey.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private bool TryCreateKeyShare(ushort group, out ECCurve curve)
    {
        curve = group switch
        {
            DtlsExtensionType.Secp256r1 => ECCurve.NamedCurves.nistP256,
            DtlsExtensionType.Secp384r1 => ECCurve.NamedCurves.nistP384,
            _ => default,
        };
        if (group is not (DtlsExtensionType.Secp256r1 or DtlsExtensionType.Secp384r1))
        {
            return false;
        }

        _ecdh?.Dispose();
        _ecdh = ECDiffieHellman.Create(curve);
        return true;
    }

    /// <summary>The raw ECDH shared secret (x coordinate, RFC 8422 §5.10), or null when the peer's point is invalid.</summary>
    private byte[]? DeriveSharedSecret(ECCurve curve, ReadOnlySpan<byte> point)
    {
        var coordinate = (_ecdh!.KeySize + 7) / 8;
        if (point.Length != 1 + (2 * coordinate) || point[0] != 4)
        {
            return null;
        }

        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = point.Slice(1, coordinate).ToArray(), Y = point.Slice(1 + coordinate, coordinate).ToArray() },
            });
            return _ecdh.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static byte[] EncodePublicPoint(ECDiffieHellman key)
    {
        var parameters = key.ExportParameters(false);
        var x = parameters.Q.X!;
        var y = parameters.Q.Y!;
        var point = new byte[1 + x.Length + y.Length];
        point[0] = 4; // uncompressed
        x.CopyTo(point, 1);
        y.CopyTo(point, 1 + x.Length);
        return point;
    }

    private byte[] BuildCertificateBody()
    {
        var writer = new DtlsWriter();
        var list = writer.BeginVector(3);
        writer.WriteUInt24(_certificate.RawData.Length);
        writer.WriteBytes(_certificate.RawData);
        writer.EndVector(list, 3);
        return writer.ToArray();
    }

    // ---------------------------------------------------------------- flights

    private void BeginFlight() => _flight.Clear();

    /// <summary>Adds a handshake message with the next message_seq to the flight and (unfragmented) to the transcript.</summary>
    private void AddHandshakeToFlight(DtlsHandshakeType type, ReadOnlySpan<byte> body, ushort epoch = 0)
    {
        var sequence = _nextSendSequence++;
        var message = new byte[HandshakeHeaderLength + body.Length];
        WriteHandshakeHeader(message, type, body.Length, sequence, 0, body.Length);
        body.CopyTo(message.AsSpan(HandshakeHeaderLength));
        AppendTranscriptRaw(message);
        _flight.Add(new FlightMessage((byte)DtlsContentType.Handshake, epoch, message));
    }

    private void SendFlight(TimeSpan now, bool expectResponse)
    {
        // Messages below this message_seq belong to the peer's previous flight: seeing one again means ours was lost.
        _peerFlightStart = _nextReceiveSequence;
        _retransmitTimeout = _options.InitialRetransmitTimeout;
        _retransmitAt = expectResponse ? now + _retransmitTimeout : null;
        EmitFlight();
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
        foreach (var message in _flight)
        {
            if (message.ContentType != (byte)DtlsContentType.Handshake)
            {
                PackRecord(message.ContentType, message.Epoch, message.Data);
                continue;
            }

            var overhead = DtlsRecordHeader.Size + HandshakeHeaderLength + (message.Epoch == 0 ? 0 : _writeProtection!.Overhead);
            var maxFragment = _options.MaximumTransmissionUnit - overhead;
            var body = message.Data.AsSpan(HandshakeHeaderLength);
            var type = (DtlsHandshakeType)message.Data[0];
            var sequence = BinaryPrimitives.ReadUInt16BigEndian(message.Data.AsSpan(4));
            if (body.Length <= maxFragment)
            {
                PackRecord(message.ContentType, message.Epoch, message.Data);
                continue;
            }

            fragment ??= new byte[_options.MaximumTransmissionUnit];
            for (var offset = 0; offset < body.Length; offset += maxFragment)
            {
                var length = Math.Min(maxFragment, body.Length - offset);
                WriteHandshakeHeader(fragment, type, body.Length, sequence, offset, length);
                body.Slice(offset, length).CopyTo(fragment.AsSpan(HandshakeHeaderLength));
                PackRecord(message.ContentType, message.Epoch, fragment.AsSpan(0, HandshakeHeaderLength + length));
            }
        }

        FlushPacking();
    }

    private void AppendTranscript(DtlsHandshakeType type, ReadOnlySpan<byte> body, int? sequence = null)
    {
        // Received messages enter the transcript as if unfragmented, with their own message_seq (RFC 6347 §4.2.6).
        Span<byte> header = stackalloc byte[HandshakeHeaderLength];
        WriteHandshakeHeader(header, type, body.Length, sequence ?? (_nextReceiveSequence - 1), 0, body.Length);
        if (_transcript.Length + header.Length + body.Length > MaxTranscriptLength)
        {
            Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.InternalError, "The handshake is too large.");
            return;
        }

        _transcript.WriteBytes(header);
        _transcript.WriteBytes(body);
    }

    private void AppendTranscriptRaw(ReadOnlySpan<byte> message)
    {
        if (_transcript.Length + message.Length <= MaxTranscriptLength)
        {
            _transcript.WriteBytes(message);
        }
    }

    private static void WriteHandshakeHeader(Span<byte> destination, DtlsHandshakeType type, int length, int sequence, int offset, int fragmentLength)
    {
        destination[0] = (byte)type;
        WriteUInt24(destination[1..], length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)sequence);
        WriteUInt24(destination[6..], offset);
        WriteUInt24(destination[9..], fragmentLength);
    }

    private static int ReadUInt24(ReadOnlySpan<byte> source) => (source[0] << 16) | (source[1] << 8) | source[2];

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }

    /// <summary>One message of a flight: a full handshake message (header + body) or a ChangeCipherSpec.</summary>
    private sealed record FlightMessage(byte ContentType, ushort Epoch, byte[] Data);
}
