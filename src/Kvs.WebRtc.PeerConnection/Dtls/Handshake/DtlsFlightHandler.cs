using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// One role's side of the handshake state machine (RFC 6347 §4.2.4 flights, RFC 5246 §7.4 messages): it receives
/// whole, in-order handshake messages from <see cref="DtlsConnection"/>, parses them with the codecs of
/// <c>Dtls/Messages</c>, and answers by building the next flight in <see cref="DtlsHandshakeContext.Flight"/>. This
/// base holds what both roles do the same way: the peer's Certificate, the fingerprint check, Finished, key derivation.
/// </summary>
internal abstract class DtlsFlightHandler
{
    protected DtlsFlightHandler(IDtlsHandshakeHost host, DtlsHandshakeContext context)
    {
        Host = host;
        Context = context;
    }

    /// <summary>Whether this side's handshake started (a server is stateless until a ClientHello checks out).</summary>
    public abstract bool IsStarted { get; }

    /// <summary>Whether both Finished messages were exchanged.</summary>
    public abstract bool IsDone { get; }

    /// <summary>Whether the final flight of the handshake is this side's (the server's flight 6), so it keeps answering retransmissions after it is done.</summary>
    public abstract bool SendsFinalFlight { get; }

    protected IDtlsHandshakeHost Host { get; }

    protected DtlsHandshakeContext Context { get; }

    /// <summary>The step waited in, for messages and logs.</summary>
    protected abstract string StepName { get; }

    /// <summary>Handles one whole handshake message.</summary>
    /// <param name="type">The message type.</param>
    /// <param name="sequence">Its message_seq.</param>
    /// <param name="body">Its body.</param>
    /// <param name="epoch">The epoch of the record(s) that carried it.</param>
    /// <param name="now">Current monotonic time.</param>
    public void Handle(DtlsHandshakeType type, int sequence, byte[] body, ushort epoch, TimeSpan now)
    {
        try
        {
            if (IsDone)
            {
                if (type is DtlsHandshakeType.ClientHello or DtlsHandshakeType.HelloRequest && epoch > 0)
                {
                    // Renegotiation is not supported (WebRTC never renegotiates): refuse politely (RFC 5746 §4.5).
                    Host.SendAlert(DtlsAlertLevel.Warning, DtlsAlertDescription.NoRenegotiation);
                }
                else
                {
                    // After the handshake, unprotected or unexpected handshake messages cannot be trusted to end
                    // the connection (anyone on the path could forge them): drop them.
                    Host.CountDropped();
                }

                return;
            }

            if (!TryHandle(type, sequence, body, epoch, now))
            {
                Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.UnexpectedMessage, $"Unexpected handshake message {type} while waiting in step {StepName}.");
            }
        }
        catch (CryptographicException)
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.IllegalParameter, $"Invalid cryptographic parameters in {type}.");
        }
    }

    /// <summary>
    /// The remote fingerprints became known after the peer's certificate arrived: checks it now, completing a
    /// finished handshake on a match.
    /// </summary>
    public void OnRemoteFingerprints()
    {
        if (Context.RemoteCertificate.IsEmpty || Context.FingerprintVerified)
        {
            return;
        }

        if (VerifyRemoteFingerprint(Context.RemoteCertificate.Span) && IsDone)
        {
            Host.CompleteHandshake();
        }
    }

    /// <summary>Handles a message expected in the current step; false when it is not expected.</summary>
    protected abstract bool TryHandle(DtlsHandshakeType type, int sequence, byte[] body, ushort epoch, TimeSpan now);

    /// <summary>The peer's Finished verified: the role's last steps (the server sends flight 6).</summary>
    protected abstract void OnPeerFinished(TimeSpan now);

    /// <summary>Appends a received message to the transcript; fails the connection (false) when the handshake is too large.</summary>
    protected bool AppendTranscript(DtlsHandshakeType type, int sequence, ReadOnlySpan<byte> body)
    {
        if (Context.Transcript.TryAppend(type, sequence, body))
        {
            return true;
        }

        Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.InternalError, "The handshake is too large.");
        return false;
    }

    /// <summary>Reads the peer's Certificate, checks it against the fingerprints (when known) and keeps its key.</summary>
    protected bool OnPeerCertificate(byte[] body)
    {
        if (!DtlsCertificateMessage.TryParse(body, out var message))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecodeError, "Malformed Certificate message.");
            return false;
        }

        var leaf = message.Leaf;
        if (leaf.IsEmpty)
        {
            Host.Fail(DtlsError.FingerprintMismatch, DtlsAlertDescription.HandshakeFailure, "The peer sent no certificate; WebRTC requires one to match the SDP fingerprint.");
            return false;
        }

        // Without fingerprints yet (remote SDP not applied), the check is deferred to SetRemoteFingerprints.
        if (Context.RemoteFingerprints.Length > 0 && !VerifyRemoteFingerprint(leaf))
        {
            return false;
        }

        ECDsa? key;
        try
        {
#pragma warning disable SYSLIB0057 // X509CertificateLoader does not exist on net8.0.
            using var certificate = new X509Certificate2(leaf.ToArray());
#pragma warning restore SYSLIB0057
            key = certificate.GetECDsaPublicKey();
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException or ArgumentException)
        {
            key = null;
        }

        if (key is null)
        {
            Host.Fail(DtlsError.NegotiationFailed, DtlsAlertDescription.UnsupportedCertificate, "The peer's certificate does not carry an ECDSA public key.");
            return false;
        }

        Context.PeerKey?.Dispose();
        Context.PeerKey = key;
        Context.RemoteCertificate = leaf.ToArray();
        Context.PeerSentCertificate = true;
        return true;
    }

    /// <summary>Checks <paramref name="leaf"/> against the remote fingerprints; on mismatch fails the connection.</summary>
    protected bool VerifyRemoteFingerprint(ReadOnlySpan<byte> leaf)
    {
        foreach (var fingerprint in Context.RemoteFingerprints)
        {
            if (fingerprint.Matches(leaf))
            {
                Context.FingerprintVerified = true;
                return true;
            }
        }

        var presented = DtlsFingerprint.Compute("sha-256", leaf);
        Host.Fail(
            DtlsError.FingerprintMismatch,
            DtlsAlertDescription.BadCertificate,
            $"The peer's certificate ({presented}) matches none of the fingerprints in the remote SDP ({string.Join(", ", Context.RemoteFingerprints.Select(f => f.ToString()))}).");
        return false;
    }

    /// <summary>Verifies the peer's Finished (epoch 1 only), then finishes this side's part of the handshake.</summary>
    protected void OnFinished(int sequence, byte[] body, ushort epoch, TimeSpan now)
    {
        if (epoch != 1)
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.UnexpectedMessage, "Finished arrived unprotected.");
            return;
        }

        var peerLabel = Context.Role == DtlsRole.Client ? "server finished" : "client finished";
        Span<byte> expected = stackalloc byte[DtlsCodePoint.VerifyDataLength];
        Context.ComputeVerifyData(peerLabel, expected);
        if (!DtlsFinished.TryParse(body, out var finished) || !CryptographicOperations.FixedTimeEquals(expected, finished.VerifyData))
        {
            Host.Fail(DtlsError.ProtocolViolation, DtlsAlertDescription.DecryptError, "The peer's Finished does not verify.");
            return;
        }

        if (!AppendTranscript(DtlsHandshakeType.Finished, sequence, body))
        {
            return;
        }

        OnPeerFinished(now);
        Host.StopRetransmitting();
        Context.ForgetPreMasterSecret();

        // With the fingerprint still unknown the connection waits in Connecting (the handshake deadline still runs).
        if (Context.FingerprintVerified || (!Context.CertificateRequested && Context.Role == DtlsRole.Server))
        {
            Host.CompleteHandshake();
        }
    }

    /// <summary>Derives the master secret and installs epoch-1 protection (after ClientKeyExchange entered the transcript).</summary>
    protected void DeriveKeys()
    {
        var (write, read) = Context.DeriveKeys();
        Host.InstallRecordProtection(write, read);
    }

    /// <summary>Ends the flight being built with ChangeCipherSpec and this side's Finished (epoch 1).</summary>
    protected void AddChangeCipherSpecAndFinished(string label)
    {
        Context.Flight.AddChangeCipherSpec();
        Host.ActivateWriteEpoch1();
        Span<byte> verifyData = stackalloc byte[DtlsCodePoint.VerifyDataLength];
        Context.ComputeVerifyData(label, verifyData);
        Context.Flight.AddHandshake(DtlsHandshakeType.Finished, verifyData, Context.Transcript, epoch: 1);
    }

    /// <summary>The body of a Certificate message carrying this side's certificate.</summary>
    protected byte[] BuildCertificateBody()
    {
        var writer = new DtlsWriter();
        DtlsCertificateMessage.Write(writer, Context.Certificate.RawData);
        return writer.ToArray();
    }
}
