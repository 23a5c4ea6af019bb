using System.Globalization;
using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Transport;

namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The typed W3C stats of <see cref="GetStats"/> below the RTP streams: the transport, its candidate pairs and
/// candidates, the certificates, and the data channels. Ids refer to each other as in browsers: the transport names
/// its selected pair and certificates, a pair its candidates, every stream and candidate the transport.
/// </summary>
public sealed partial class RTCPeerConnection
{
    /// <summary>The id of the one <see cref="RTCTransportStats"/> (BUNDLE and rtcp-mux: one transport per connection).</summary>
    internal const string TransportStatsId = "T01";

    private List<RTCStats> CollectStats(in TransportSnapshot snapshot)
    {
        var stats = CollectRtpStats();
        CollectTransportStats(stats, snapshot);
        return stats;
    }

    private void CollectTransportStats(List<RTCStats> stats, in TransportSnapshot snapshot)
    {
        var timestamp = _timeProvider.GetUtcNow();
        var ice = _ice;
        var (packetsSent, bytesSent, packetsReceived, bytesReceived) = ice?.DataCounters ?? default;

        var localCertificateId = AddCertificate(stats, _certificate.Fingerprint, _certificate.RawData, timestamp);
        string? remoteCertificateId = null;
        var remoteDer = _transport.RemoteCertificate;
        if (!remoteDer.IsEmpty)
        {
            remoteCertificateId = AddCertificate(stats, DtlsFingerprint.Compute(_certificate.Fingerprint.Algorithm, remoteDer.Span), remoteDer.Span, timestamp);
        }

        string? selectedPairId = null;
        if (ice is not null)
        {
            var remoteUfrag = _iceTransport.GetRemoteParameters()?.UsernameFragment;
            foreach (var candidate in ice.LocalCandidates)
            {
                stats.Add(ToCandidateStats(candidate, isRemote: false, _localCredentials.Ufrag, timestamp));
            }

            foreach (var candidate in ice.RemoteCandidates)
            {
                stats.Add(ToCandidateStats(candidate, isRemote: true, remoteUfrag, timestamp));
            }

            var target = TargetBitrate;
            var now = MonotonicNow;
            foreach (var pair in ice.GetPairSnapshots())
            {
                var localId = CandidateStatsId(pair.Local, isRemote: false);
                var remoteId = CandidateStatsId(pair.Remote, isRemote: true);
                var id = "CP" + localId + "-" + remoteId;
                if (pair.Selected)
                {
                    selectedPairId = id;
                }

                stats.Add(new RTCIceCandidatePairStats
                {
                    Id = id,
                    Timestamp = timestamp,
                    TransportId = TransportStatsId,
                    LocalCandidateId = localId,
                    RemoteCandidateId = remoteId,
                    State = pair.State switch
                    {
                        IceCandidatePairState.Waiting => RTCStatsIceCandidatePairState.Waiting,
                        IceCandidatePairState.InProgress => RTCStatsIceCandidatePairState.InProgress,
                        IceCandidatePairState.Succeeded => RTCStatsIceCandidatePairState.Succeeded,
                        IceCandidatePairState.Failed => RTCStatsIceCandidatePairState.Failed,
                        _ => RTCStatsIceCandidatePairState.Frozen,
                    },
                    Nominated = pair.Nominated,
                    Selected = pair.Selected,
                    Priority = pair.Priority,
                    PacketsSent = pair.Selected ? packetsSent : 0,
                    PacketsReceived = pair.Selected ? packetsReceived : 0,
                    BytesSent = pair.Selected ? bytesSent : 0,
                    BytesReceived = pair.Selected ? bytesReceived : 0,
                    CurrentRoundTripTime = pair.CurrentRoundTripTime?.TotalSeconds,
                    TotalRoundTripTime = pair.TotalRoundTripTime.TotalSeconds,
                    RequestsSent = pair.RequestsSent,
                    RequestsReceived = pair.RequestsReceived,
                    ResponsesReceived = pair.ResponsesReceived,
                    ResponsesSent = pair.RequestsReceived,
                    AvailableOutgoingBitrate = pair.Selected ? target : null,
                });
            }
        }

        var connected = snapshot.DtlsState == DtlsState.Connected;
        stats.Add(new RTCTransportStats
        {
            Id = TransportStatsId,
            Timestamp = timestamp,
            PacketsSent = packetsSent,
            PacketsReceived = packetsReceived,
            BytesSent = bytesSent,
            BytesReceived = bytesReceived,
            IceRole = _iceTransport.Role,
            IceLocalUsernameFragment = _localCredentials.Ufrag,
            IceState = _iceTransport.State,
            DtlsState = _dtlsTransport.State,
            DtlsRole = DtlsRoleName(snapshot.DtlsRole),
            SelectedCandidatePairId = selectedPairId,
            SelectedCandidatePairChanges = _iceTransport.SelectedPairChanges,
            LocalCertificateId = localCertificateId,
            RemoteCertificateId = remoteCertificateId,
            TlsVersion = connected ? "FEFD" : null,
            DtlsCipher = connected ? CipherSuiteName(snapshot.CipherSuite) : null,
            SrtpCipher = snapshot.SrtpProfile switch
            {
                DtlsSrtpProtectionProfile.Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
                DtlsSrtpProtectionProfile.Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
                DtlsSrtpProtectionProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
                null => null,
                { } other => other.ToString(),
            },
        });

        if (_transport.Manager is { } manager)
        {
            foreach (var channel in manager.Channels)
            {
                var (messagesSent, channelBytesSent) = channel.Sent;
                var (messagesReceived, channelBytesReceived) = channel.Received;
                stats.Add(new RTCDataChannelStats
                {
                    Id = "D" + (channel.Id is { } streamId ? streamId.ToString(CultureInfo.InvariantCulture) : "-" + channel.Label),
                    Timestamp = timestamp,
                    Label = channel.Label,
                    Protocol = channel.Protocol,
                    DataChannelIdentifier = channel.Id,
                    State = channel.ReadyState,
                    MessagesSent = messagesSent,
                    BytesSent = channelBytesSent,
                    MessagesReceived = messagesReceived,
                    BytesReceived = channelBytesReceived,
                });
            }
        }
    }

    private static string AddCertificate(List<RTCStats> stats, DtlsFingerprint fingerprint, ReadOnlySpan<byte> der, DateTimeOffset timestamp)
    {
        var text = fingerprint.ToString(); // "sha-256 AB:CD:..."
        var hex = text[(fingerprint.Algorithm.Length + 1)..];
        var id = "CF" + hex;
        stats.Add(new RTCCertificateStats
        {
            Id = id,
            Timestamp = timestamp,
            Fingerprint = hex,
            FingerprintAlgorithm = fingerprint.Algorithm,
            Base64Certificate = Convert.ToBase64String(der),
        });
        return id;
    }

    private static RTCIceCandidateStats ToCandidateStats(Ice.IceCandidate candidate, bool isRemote, string? usernameFragment, DateTimeOffset timestamp) =>
        new(isRemote)
        {
            Id = CandidateStatsId(candidate, isRemote),
            Timestamp = timestamp,
            TransportId = TransportStatsId,
            Address = candidate.Address,
            Port = candidate.Port,
            Protocol = candidate.Protocol == IceTransportProtocol.Tcp ? RTCIceProtocol.Tcp : RTCIceProtocol.Udp,
            CandidateType = candidate.Type switch
            {
                IceCandidateType.ServerReflexive => RTCIceCandidateType.ServerReflexive,
                IceCandidateType.PeerReflexive => RTCIceCandidateType.PeerReflexive,
                IceCandidateType.Relay => RTCIceCandidateType.Relay,
                _ => RTCIceCandidateType.Host,
            },
            Priority = candidate.Priority,
            Foundation = candidate.Foundation,
            RelayProtocol = isRemote ? null : IceTransport.RelayProtocolOf(candidate),
            UsernameFragment = usernameFragment,
        };

    // Stable across reports and derived from what identifies the candidate, so pairs can name theirs without a lookup.
    private static string CandidateStatsId(Ice.IceCandidate candidate, bool isRemote) =>
        string.Create(CultureInfo.InvariantCulture,
            $"I{(isRemote ? 'R' : 'L')}_{Ice.IceCandidate.TypeToken(candidate.Type)}_{(candidate.Protocol == IceTransportProtocol.Tcp ? "tcp" : "udp")}_{candidate.Address}_{candidate.Port}");

    private static string? DtlsRoleName(DtlsRole? role) => role switch
    {
        Dtls.DtlsRole.Client => "client",
        Dtls.DtlsRole.Server => "server",
        _ => null,
    };

    private static string? CipherSuiteName(DtlsCipherSuite? suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        null => null,
        { } other => other.ToString(),
    };
}
