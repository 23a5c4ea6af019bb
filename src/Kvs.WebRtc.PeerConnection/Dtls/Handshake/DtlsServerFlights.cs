using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The server's flights (RFC 6347 §4.2.4): stateless HelloVerifyRequest (flight 2) until a ClientHello carries a
/// valid cookie, then flight 4 ServerHello Certificate ServerKeyExchange [CertificateRequest] ServerHelloDone, and
/// after the client's flight 5 is verified, flight 6 ChangeCipherSpec Finished.
/// </summary>
internal sealed class DtlsServerFlights : DtlsFlightHandler
{
    private const int CookieLength = 32;

    private readonly byte[] _cookieSecret = new byte[32];
    private Step _step = Step.Idle;

    public DtlsServerFlights(IDtlsHandshakeHost host, DtlsHandshakeContext context)
        : base(host, context)
    {
        context.Options.Entropy.Fill(_cookieSecret);
    }

    /// <summary>What the server waits for next.</summary>
    private enum Step
    {
        Idle,
        AwaitCertificate,
        AwaitClientKeyExchange,
        AwaitCertificateVerify,
        AwaitFinished,
        Done,
    }

    /// <inheritdoc />
    public override bool IsStarted => _step != Step.Idle;

    /// <inheritdoc />
    public override bool IsDone => _step == Step.Done;

    /// <inheritdoc />
    public override bool SendsFinalFlight => true;

    /// <inheritdoc />
    protected override string StepName => "Server" + _step;

    /// <summary>
    /// A whole ClientHello received while stateless: without a valid cookie it is answered with a HelloVerifyRequest
    /// and forgotten (RFC 6347 §4.2.1); with one, the handshake starts and flight 4 is sent.
    /// </summary>
    /// <returns>False when the ClientHello is malformed (the caller counts it as dropped).</returns>
    public bool HandleInitialClientHello(ReadOnlySpan<byte> body, ushort messageSequence, ulong recordSequence, TimeSpan now)
    {
        if (!DtlsClientHello.TryParse(body, out var hello))
        {
            return false;
        }

        // DTLS versions count down: 0xFEFD (1.2) is below 0xFEFF (1.0).
        if (hello.Version > DtlsVersion.Dtls12)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.ProtocolVersion, "The client does not offer DTLS 1.2.");
            return true;
        }

        Span<byte> expected = stackalloc byte[CookieLength];
        ComputeCookie(hello, expected);
        if (Context.Options.UseCookieExchange && (hello.Cookie.Length != CookieLength || !CryptographicOperations.FixedTimeEquals(hello.Cookie, expected)))
        {
            SendHelloVerifyRequest(expected, messageSequence, recordSequence);
            return true;
        }

        Host.BeginServerHandshake(now, messageSequence, recordSequence);
        Context.Transcript.Reset();
        if (!AppendTranscript(DtlsHandshakeType.ClientHello, messageSequence, body))
        {
            return true;
        }

        Context.ClientRandom = hello.Random;
        if (!Negotiate(hello, out var suite, out var group))
        {
            return true;
        }

        Context.Suite = DtlsCipherSuiteInfo.For(suite);
        Context.Options.Entropy.Fill(Context.ServerRandom);
        SendFlight4(hello, group, now);
        return true;
    }

    /// <inheritdoc />
    protected override bool TryHandle(DtlsHandshakeType type, int sequence, byte[] body, ushort epoch, TimeSpan now)
    {
        switch (_step, type)
        {
            case (Step.AwaitCertificate, DtlsHandshakeType.Certificate):
                if (AppendTranscript(type, sequence, body) && OnPeerCertificate(body))
                {
                    _step = Step.AwaitClientKeyExchange;
                }

                return true;
            case (Step.AwaitClientKeyExchange, DtlsHandshakeType.ClientKeyExchange):
                if (AppendTranscript(type, sequence, body))
                {
                    OnClientKeyExchange(body);
                }

                return true;
            case (Step.AwaitCertificateVerify, DtlsHandshakeType.CertificateVerify):
                OnCertificateVerify(sequence, body);
                return true;
            case (Step.AwaitFinished, DtlsHandshakeType.Finished):
                OnFinished(sequence, body, epoch, now);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override void OnPeerFinished(TimeSpan now)
    {
        // Flight 6: ChangeCipherSpec Finished; no timer, it is resent when flight 5 is seen again (RFC 6347 §4.2.4).
        Context.Flight.Begin();
        AddChangeCipherSpecAndFinished("server finished");
        Host.SendFlight(now, expectResponse: false);
        _step = Step.Done;
    }

    /// <summary>Picks the suite, curve and SRTP profile; fails the connection (false) when there is no common ground.</summary>
    private bool Negotiate(DtlsClientHello hello, out DtlsCipherSuite suite, out ushort group)
    {
        suite = default;
        group = 0;
        DtlsCipherSuite? selected = null;
        foreach (var offered in Context.Options.EffectiveCipherSuites)
        {
            if (hello.CipherSuites.Contains((ushort)offered))
            {
                selected = offered;
                break;
            }
        }

        if (selected is null)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "No common cipher suite with the client.");
            return false;
        }

        if (!hello.HasExtendedMasterSecret)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The client does not support the extended master secret (RFC 7627), which is required.");
            return false;
        }

        if (hello.SupportedGroups.Count == 0 || hello.SupportedGroups.Contains(DtlsNamedGroup.Secp256r1))
        {
            group = DtlsNamedGroup.Secp256r1;
        }
        else if (hello.SupportedGroups.Contains(DtlsNamedGroup.Secp384r1))
        {
            group = DtlsNamedGroup.Secp384r1;
        }

        if (group == 0 || !Context.TryCreateKeyShare(group))
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "No common elliptic curve with the client (P-256 or P-384 required).");
            return false;
        }

        if (hello.SignatureAlgorithms.Count > 0 && !hello.SignatureAlgorithms.Contains(DtlsSignatures.LocalScheme))
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.HandshakeFailure, "The client does not accept ecdsa_secp256r1_sha256 signatures.");
            return false;
        }

        foreach (var profile in Context.Options.SrtpProfiles)
        {
            if (hello.SrtpProfiles.Contains((ushort)profile))
            {
                Context.SrtpProfile = profile;
                break;
            }
        }

        suite = selected.Value;
        return true;
    }

    /// <summary>Flight 4: ServerHello Certificate ServerKeyExchange [CertificateRequest] ServerHelloDone.</summary>
    private void SendFlight4(DtlsClientHello hello, ushort group, TimeSpan now)
    {
        var flight = Context.Flight;
        var transcript = Context.Transcript;
        flight.Begin();
        var serverHello = new DtlsServerHello
        {
            Random = Context.ServerRandom,
            CipherSuite = (ushort)Context.Suite!.Suite,
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = hello.HasRenegotiationInfo,
            HasEcPointFormats = hello.HasEcPointFormats,
            SrtpProfile = Context.SrtpProfile is { } p ? (ushort)p : (ushort)0,
        };
        var writer = new DtlsWriter();
        serverHello.Write(writer);
        flight.AddHandshake(DtlsHandshakeType.ServerHello, writer.WrittenSpan, transcript);
        flight.AddHandshake(DtlsHandshakeType.Certificate, BuildCertificateBody(), transcript);

        var keyExchange = new DtlsWriter();
        DtlsServerKeyExchange.WriteParameters(keyExchange, group, Context.KeyShare!.EncodePublicPoint());
        var signed = new byte[(2 * DtlsCodePoint.RandomLength) + keyExchange.Length];
        Context.ClientRandom.CopyTo(signed, 0);
        Context.ServerRandom.CopyTo(signed, DtlsCodePoint.RandomLength);
        keyExchange.WrittenSpan.CopyTo(signed.AsSpan(2 * DtlsCodePoint.RandomLength));
        DtlsServerKeyExchange.WriteSignature(keyExchange, DtlsSignatures.LocalScheme, Context.Options.Entropy.Sign(Context.Certificate.PrivateKey, signed));
        flight.AddHandshake(DtlsHandshakeType.ServerKeyExchange, keyExchange.WrittenSpan, transcript);

        if (Context.Options.RequireClientCertificate)
        {
            var request = new DtlsWriter();
            DtlsCertificateRequest.Write(request, [DtlsSignatureScheme.EcdsaSecp256r1Sha256, DtlsSignatureScheme.EcdsaSecp384r1Sha384]);
            flight.AddHandshake(DtlsHandshakeType.CertificateRequest, request.WrittenSpan, transcript);
            Context.CertificateRequested = true;
        }

        flight.AddHandshake(DtlsHandshakeType.ServerHelloDone, [], transcript);
        _step = Context.CertificateRequested ? Step.AwaitCertificate : Step.AwaitClientKeyExchange;
        Host.SendFlight(now, expectResponse: true);
    }

    private void SendHelloVerifyRequest(ReadOnlySpan<byte> cookie, ushort messageSequence, ulong recordSequence)
    {
        // Stateless: nothing is remembered; the record reuses the ClientHello's sequence number (RFC 6347 §4.2.1).
        var bodyLength = DtlsHelloVerifyRequest.BodyLength(cookie.Length);
        Span<byte> message = stackalloc byte[DtlsHandshakeHeader.Size + bodyLength];
        DtlsHandshakeHeader.Write(message, DtlsHandshakeType.HelloVerifyRequest, bodyLength, messageSequence, 0, bodyLength);
        DtlsHelloVerifyRequest.Write(message[DtlsHandshakeHeader.Size..], cookie);
        Host.SendStateless(message, recordSequence);
    }

    /// <summary>Cookie = HMAC-SHA256(secret, client_random || session_id || suites/compression/extensions) (RFC 6347 §4.2.1).</summary>
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
        if (!DtlsClientKeyExchange.TryParse(body, out var message))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed ClientKeyExchange.");
            return;
        }

        Context.PreMasterSecret = Context.KeyShare!.DeriveSharedSecret(message.PublicPoint);
        if (Context.PreMasterSecret is null)
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, "The client's ECDH public key is invalid.");
            return;
        }

        DeriveKeys();
        _step = Context.PeerSentCertificate ? Step.AwaitCertificateVerify : Step.AwaitFinished;
    }

    private void OnCertificateVerify(int sequence, byte[] body)
    {
        if (!DtlsCertificateVerify.TryParse(body, out var message))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed CertificateVerify.");
            return;
        }

        if (!DtlsSignatures.Verify(Context.PeerKey, message.SignatureScheme, Context.Transcript.Messages, message.Signature))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The client's CertificateVerify signature does not verify.");
            return;
        }

        if (AppendTranscript(DtlsHandshakeType.CertificateVerify, sequence, body))
        {
            _step = Step.AwaitFinished;
        }
    }
}
