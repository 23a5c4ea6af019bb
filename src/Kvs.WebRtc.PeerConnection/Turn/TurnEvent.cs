using System.Net;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>An event of a TURN client session.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Peer">The peer (permissions: port 0) for permission and channel events.</param>
/// <param name="Channel">The channel number for channel events.</param>
/// <param name="Error">Why, for failures.</param>
/// <param name="StunErrorCode">The server's ERROR-CODE (300-699), or 0.</param>
/// <param name="Reason">The server's reason phrase, or a short local explanation.</param>
internal readonly record struct TurnEvent(
    TurnEventKind Kind,
    IPEndPoint? Peer = null,
    ushort Channel = 0,
    TurnError Error = TurnError.None,
    int StunErrorCode = 0,
    string? Reason = null);
