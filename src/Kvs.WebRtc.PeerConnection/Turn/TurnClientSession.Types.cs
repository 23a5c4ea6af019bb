using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Request bookkeeping of <see cref="TurnClientSession"/>.</summary>
internal sealed partial class TurnClientSession
{
    private enum TurnRequestKind
    {
        Allocate,
        Refresh,
        CreatePermission,
        ChannelBind,
    }

    private sealed record TurnRequest(TurnRequestKind Kind)
    {
        public bool Authenticated { get; init; }

        public int StaleNonceRetries { get; init; }

        public TimeSpan Lifetime { get; init; }

        public IPAddress? PermissionPeer { get; init; }

        public IPEndPoint? ChannelPeer { get; init; }

        public ushort ChannelNumber { get; init; }

        public StunMethod Method => Kind switch
        {
            TurnRequestKind.Allocate => StunMethod.Allocate,
            TurnRequestKind.Refresh => StunMethod.Refresh,
            TurnRequestKind.CreatePermission => StunMethod.CreatePermission,
            _ => StunMethod.ChannelBind,
        };
    }

    private sealed class Permission(IPAddress peer)
    {
        public IPAddress Peer { get; } = peer;

        public bool Installed { get; set; }

        public bool InFlight { get; set; }

        public TimeSpan RefreshAt { get; set; }
    }

    private sealed class Channel(ushort number, IPEndPoint peer)
    {
        public ushort Number { get; } = number;

        public IPEndPoint Peer { get; } = peer;

        public bool Bound { get; set; }

        public bool InFlight { get; set; }

        public TimeSpan RefreshAt { get; set; }
    }
}
