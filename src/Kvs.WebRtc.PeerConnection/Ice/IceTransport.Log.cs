using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Log messages of the driver (event ids 2100-2199; 2101, 2112, 2114 and 2115 are logged by the real sockets). TURN passwords are never logged.</summary>
internal sealed partial class IceTransport
{
    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Warning, "ICE could not bind a UDP socket on {Address}: {Error}")]
        public static partial void BindFailed(ILogger logger, IPAddress address, SocketError error);

        [LoggerMessage(2102, LogLevel.Debug, "ICE send error to {Destination}: {Error}")]
        public static partial void SendError(ILogger logger, IPEndPoint destination, SocketError error);

        [LoggerMessage(2103, LogLevel.Warning, "ICE relay allocation on {Server} failed: {Reason}")]
        public static partial void RelayFailed(ILogger logger, string server, string reason);

        [LoggerMessage(2104, LogLevel.Warning, "ICE relay on {Server} lost: {Reason}")]
        public static partial void RelayLost(ILogger logger, string server, string reason);

        [LoggerMessage(2105, LogLevel.Debug, "ICE relay server {Server} skipped (no relay factory or no credentials)")]
        public static partial void RelaySkipped(ILogger logger, string server);

        [LoggerMessage(2106, LogLevel.Debug, "ICE relay permission for {Peer} failed: {Reason}")]
        public static partial void PermissionFailed(ILogger logger, IPAddress peer, string reason);

        [LoggerMessage(2107, LogLevel.Debug, "ICE relay send to {Destination} failed: {Reason}")]
        public static partial void RelaySendFailed(ILogger logger, IPEndPoint destination, string reason);

        [LoggerMessage(2108, LogLevel.Debug, "ICE DNS lookup of {Host} failed: {Reason}")]
        public static partial void DnsFailed(ILogger logger, string host, string reason);

        [LoggerMessage(2109, LogLevel.Debug, "ICE dropped {Length}-byte application datagram: no usable pair yet")]
        public static partial void NoPairForData(ILogger logger, int length);

        [LoggerMessage(2110, LogLevel.Debug, "ICE remote candidate rejected: {Error}")]
        public static partial void BadRemoteCandidate(ILogger logger, IceCandidateParseError error);

        [LoggerMessage(2111, LogLevel.Warning, "ICE event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(2117, LogLevel.Information, "ICE restart: a host candidate on the new address {Address}")]
        public static partial void HostAddressAdded(ILogger logger, IPAddress address);

        [LoggerMessage(2118, LogLevel.Information, "ICE restart: asking {Server} again for the relay allocation that was lost or refused")]
        public static partial void RelayRenewing(ILogger logger, string server);

        [LoggerMessage(2113, LogLevel.Debug, "ICE relay dispose failed")]
        public static partial void RelayDisposeFailed(ILogger logger, Exception exception);
    }
}
