using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.PeerConnection.Transport;

/// <summary>Counters of a <see cref="PeerConnectionTransport"/>, read under its lock.</summary>
internal readonly record struct TransportSnapshot(
    long BytesSent,
    long BytesReceived,
    long PacketsSent,
    long PacketsReceived,
    DtlsState DtlsState,
    DtlsRole? DtlsRole,
    DtlsCipherSuite? CipherSuite,
    SctpAssociationState? SctpState,
    long SctpPacketsSent,
    long SctpPacketsReceived,
    long DataChunksSent,
    long DataChunksReceived,
    long MessagesReceived,
    long Retransmissions,
    long FastRetransmits,
    long T3Expirations,
    TimeSpan SmoothedRtt,
    TimeSpan Rto,
    long CongestionWindow,
    DtlsSrtpProtectionProfile? SrtpProfile);
