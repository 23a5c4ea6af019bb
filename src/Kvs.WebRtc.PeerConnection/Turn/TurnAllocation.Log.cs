using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Log messages of <see cref="TurnAllocation"/> (event ids 25xx). The server's ToString omits the password.</summary>
internal sealed partial class TurnAllocation
{
    private static partial class Log
    {
        [LoggerMessage(2500, LogLevel.Debug, "Allocating on TURN server {Server}")]
        public static partial void Allocating(ILogger logger, IceRelayServer server);

        [LoggerMessage(2501, LogLevel.Information, "Allocated {Relayed} on TURN server {Server} for {Lifetime}")]
        public static partial void Allocated(ILogger logger, IceRelayServer server, IPEndPoint relayed, TimeSpan lifetime);

        [LoggerMessage(2502, LogLevel.Warning, "Allocation on TURN server {Server} failed: {Error} {Code}")]
        public static partial void AllocationFailed(ILogger logger, IceRelayServer server, TurnError error, int code);

        [LoggerMessage(2503, LogLevel.Warning, "Allocation on TURN server {Server} lost: {Error} {Code}")]
        public static partial void AllocationLost(ILogger logger, IceRelayServer server, TurnError error, int code);

        [LoggerMessage(2504, LogLevel.Debug, "Permission for {Peer} failed: {Error} {Code}")]
        public static partial void PermissionFailed(ILogger logger, IPAddress? peer, TurnError error, int code);

        [LoggerMessage(2505, LogLevel.Debug, "Channel {Channel} bound to {Peer}")]
        public static partial void ChannelBound(ILogger logger, ushort channel, IPEndPoint? peer);

        [LoggerMessage(2506, LogLevel.Debug, "Channel bind to {Peer} failed: {Error} {Code}")]
        public static partial void ChannelBindFailed(ILogger logger, IPEndPoint? peer, TurnError error, int code);

        [LoggerMessage(2507, LogLevel.Debug, "Dropped a {Length}-byte message from the TURN server")]
        public static partial void Dropped(ILogger logger, int length);

        [LoggerMessage(2508, LogLevel.Warning, "Transport to TURN server {Server} failed")]
        public static partial void TransportFailed(ILogger logger, IceRelayServer server, Exception exception);

        [LoggerMessage(2509, LogLevel.Debug, "Sending to the TURN server failed")]
        public static partial void SendFailed(ILogger logger, Exception exception);

        [LoggerMessage(2510, LogLevel.Warning, "The relay receiver threw")]
        public static partial void ReceiverThrew(ILogger logger, Exception exception);

        [LoggerMessage(2511, LogLevel.Debug, "Released the allocation on TURN server {Server}")]
        public static partial void Released(ILogger logger, IceRelayServer server);
    }
}
