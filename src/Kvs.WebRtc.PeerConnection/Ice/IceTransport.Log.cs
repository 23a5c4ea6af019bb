using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// Log messages of the transport (event ids 2100-2199, shared with <see cref="IceGatherer"/> and
/// <see cref="IceSocketDriver"/>; 2101, 2112, 2114 and 2115 are logged by the real sockets). TURN passwords are never logged.
/// </summary>
internal sealed partial class IceTransport
{
    private static partial class Log
    {
        [LoggerMessage(2110, LogLevel.Debug, "ICE remote candidate rejected: {Error}")]
        public static partial void BadRemoteCandidate(ILogger logger, IceCandidateParseError error);

        [LoggerMessage(2111, LogLevel.Warning, "ICE event handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
