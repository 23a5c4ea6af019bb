using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The client's flights (RFC 6347 §4.2.4): flight 1/3 ClientHello (again with the cookie after a HelloVerifyRequest),
/// then, after the server's flight 4, flight 5 [Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec
/// Finished; done when the server's Finished verifies.
/// </summary>
internal sealed class DtlsClientFlights : DtlsFlightHandler
{
    private DtlsClientHello? _sentHello;
    private Step _step = Step.Idle;

    public DtlsClientFlights(IDtlsHandshakeHost host, DtlsHandshakeContext context)
        : base(host, context)
    {
    }

    /// <summary>What the client waits for next.</summary>
    private enum Step
    {
        Idle,
        AwaitServerHello,
        AwaitCertificate,
        AwaitServerKeyExchange,
        AwaitCertificateRequestOrDone,
        AwaitServerHelloDone,
        AwaitFinished,
        Done,
    }

    /// <inheritdoc />
    public override bool IsStarted => _step != Step.Idle;

    /// <inheritdoc />
    public override bool IsDone => _step == Step.Done;

    /// <inheritdoc />
    public override bool SendsFinalFlight => false;

    /// <inheritdoc />
    protected override string StepName => "Client" + _step;

    /// <summary>Flight 1: the first ClientHello.</summary>
    public void Start(TimeSpan now)
    {
        Context.Options.Entropy.Fill(Context.ClientRandom);
        var hello = new DtlsClientHello
        {
            Random = Context.ClientRandom,
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = true,
        };
        foreach (var suite in Context.Options.EffectiveCipherSuites)
        {
            hello.CipherSuites.Add((ushort)suite);
        }

        hello.SupportedGroups.Add(DtlsNamedGroup.Secp256r1);
        hello.SupportedGroups.Add(DtlsNamedGroup.Secp384r1);
        hello.SignatureAlgorithms.Add(DtlsSignatureScheme.EcdsaSecp256r1Sha256);
        hello.SignatureAlgorithms.Add(DtlsSignatureScheme.EcdsaSecp384r1Sha384);
        hello.SignatureAlgorithms.Add(DtlsSignatureScheme.EcdsaSecp521r1Sha512);
        foreach (var profile in Context.Options.SrtpProfiles)
        {
            hello.SrtpProfiles.Add((ushort)profile);
        }

        _sentHello = hello;
        _step = Step.AwaitServerHello;
        SendClientHello(now);
    }

    /// <inheritdoc />
    protected override bool TryHandle(DtlsHandshakeType type, int sequence, byte[] body, ushort epoch, TimeSpan now)
    {
        switch (_step, type)
        {
            case (Step.AwaitServerHello, DtlsHandshakeType.HelloVerifyRequest):
                OnHelloVerifyRequest(body, now);
                return true;
            case (Step.AwaitServerHello, DtlsHandshakeType.ServerHello):
                OnServerHello(sequence, body);
                return true;
            case (Step.AwaitCertificate, DtlsHandshakeType.Certificate):
                if (AppendTranscript(type, sequence, body) && OnPeerCertificate(body))
                {
                    _step = Step.AwaitServerKeyExchange;
                }

                return true;
            case (Step.AwaitServerKeyExchange, DtlsHandshakeType.ServerKeyExchange):
                if (AppendTranscript(type, sequence, body))
                {
                    OnServerKeyExchange(body);
                }

                return true;
            case (Step.AwaitCertificateRequestOrDone, DtlsHandshakeType.CertificateRequest):
                if (AppendTranscript(type, sequence, body))
                {
                    OnCertificateRequest(body);
                }

                return true;
            case (Step.AwaitCertificateRequestOrDone or Step.AwaitServerHelloDone, DtlsHandshakeType.ServerHelloDone):
                if (AppendTranscript(type, sequence, body))
                {
                    OnServerHelloDone(body, now);
                }

                return true;
            case (Step.AwaitFinished, DtlsHandshakeType.Finished):
                OnFinished(sequence, body, epoch, now);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override void OnPeerFinished(TimeSpan now) => _step = Step.Done;

    private void SendClientHello(TimeSpan now)
    {
        var writer = new DtlsWriter();
        _sentHello!.Write(writer);
        Context.Flight.Begin();
        Context.Flight.AddHandshake(DtlsHandshakeType.ClientHello, writer.WrittenSpan, Context.Transcript);
        Host.SendFlight(now, expectResponse: true);
    }

    private void OnHelloVerifyRequest(byte[] body, TimeSpan now)
    {
        if (!DtlsHelloVerifyRequest.TryParse(body, out var request))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed HelloVerifyRequest.");
            return;
        }

        // The first ClientHello and the HelloVerifyRequest are not part of the transcript (RFC 6347 §4.2.6).
        Context.Transcript.Reset();
        _sentHello!.Cookie = request.Cookie.ToArray();
        SendClientHello(now);
    }

    private void OnServerHello(int sequence, byte[] body)
    {
        if (!DtlsServerHello.TryParse(body, out var hello))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerHello.");
            return;
        }

        if (!AppendTranscript(DtlsHandshakeType.ServerHello, sequence, body))
        {
            return;
        }

        if (hello.Version != DtlsVersion.Dtls12)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.ProtocolVersion, "The server did not select DTLS 1.2.");
            return;
        }

        if (!Context.Options.EffectiveCipherSuites.Contains((DtlsCipherSuite)hello.CipherSuite))
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, $"The server selected cipher suite 0x{hello.CipherSuite:X4}, which was not offered.");
            return;
        }

        if (!hello.HasExtendedMasterSecret)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The server does not support the extended master secret (RFC 7627), which is required.");
            return;
        }

        if (hello.SrtpProfile != 0)
        {
            if (!Context.Options.SrtpProfiles.Contains((DtlsSrtpProtectionProfile)hello.SrtpProfile))
            {
                Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, "The server selected an SRTP profile that was not offered.");
                return;
            }

            Context.SrtpProfile = (DtlsSrtpProtectionProfile)hello.SrtpProfile;
        }

        Context.Suite = DtlsCipherSuiteInfo.For((DtlsCipherSuite)hello.CipherSuite);
        Context.ServerRandom = hello.Random;
        _step = Step.AwaitCertificate;
    }

    private void OnServerKeyExchange(byte[] body)
    {
        if (!DtlsServerKeyExchange.TryParse(body, out var message))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerKeyExchange.");
            return;
        }

        // signed_params = client_random + server_random + ServerECDHParams (RFC 8422 §5.4).
        var signed = new byte[(2 * DtlsCodePoint.RandomLength) + message.Parameters.Length];
        Context.ClientRandom.CopyTo(signed, 0);
        Context.ServerRandom.CopyTo(signed, DtlsCodePoint.RandomLength);
        message.Parameters.CopyTo(signed.AsSpan(2 * DtlsCodePoint.RandomLength));
        if (!DtlsSignatures.Verify(Context.PeerKey, message.SignatureScheme, signed, message.Signature))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The ServerKeyExchange signature does not verify.");
            return;
        }

        if (!Context.TryCreateKeyShare(message.NamedGroup))
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.IllegalParameter, $"The server chose unsupported group {message.NamedGroup}.");
            return;
        }

        Context.PreMasterSecret = Context.KeyShare!.DeriveSharedSecret(message.PublicPoint);
        if (Context.PreMasterSecret is null)
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, "The server's ECDH public key is invalid.");
            return;
        }

        _step = Step.AwaitCertificateRequestOrDone;
    }

    private void OnCertificateRequest(byte[] body)
    {
        if (!DtlsCertificateRequest.TryParse(body, out _))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed CertificateRequest.");
            return;
        }

        Context.CertificateRequested = true;
        _step = Step.AwaitServerHelloDone;
    }

    private void OnServerHelloDone(byte[] body, TimeSpan now)
    {
        if (!DtlsServerHelloDone.TryParse(body))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ServerHelloDone.");
            return;
        }

        // Flight 5: [Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec Finished (RFC 6347 §4.2.4).
        var flight = Context.Flight;
        flight.Begin();
        if (Context.CertificateRequested)
        {
            flight.AddHandshake(DtlsHandshakeType.Certificate, BuildCertificateBody(), Context.Transcript);
        }

        var keyExchange = new DtlsWriter();
        DtlsClientKeyExchange.Write(keyExchange, Context.KeyShare!.EncodePublicPoint());
        flight.AddHandshake(DtlsHandshakeType.ClientKeyExchange, keyExchange.WrittenSpan, Context.Transcript);
        DeriveKeys();

        if (Context.CertificateRequested)
        {
            var verify = new DtlsWriter();
            var signature = Context.Options.Entropy.Sign(Context.Certificate.PrivateKey, Context.Transcript.Messages);
            DtlsCertificateVerify.Write(verify, DtlsSignatures.LocalScheme, signature);
            flight.AddHandshake(DtlsHandshakeType.CertificateVerify, verify.WrittenSpan, Context.Transcript);
        }

        AddChangeCipherSpecAndFinished("client finished");
        _step = Step.AwaitFinished;
        Host.SendFlight(now, expectResponse: true);
    }
}
