using System.Net;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>Log messages of the agent (event ids 2000-2099). Passwords are never logged.</summary>
internal sealed partial class IceAgent
{
    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Debug, "ICE state {From} -> {To}")]
        public static partial void StateChanged(ILogger logger, IceConnectionState from, IceConnectionState to);

        [LoggerMessage(2001, LogLevel.Debug, "ICE local {Type} candidate on {Base}")]
        public static partial void LocalCandidate(ILogger logger, string type, IPEndPoint @base);

        [LoggerMessage(2002, LogLevel.Debug, "ICE remote {Type} candidate {EndPoint}")]
        public static partial void RemoteCandidateAdded(ILogger logger, string type, IPEndPoint endPoint);

        [LoggerMessage(2003, LogLevel.Debug, "ICE remote candidate {Address}:{Port} ignored: {Reason}")]
        public static partial void RemoteCandidateIgnored(ILogger logger, string address, int port, string reason);

        [LoggerMessage(2004, LogLevel.Trace, "ICE check {Base} -> {Remote} (use-candidate {UseCandidate})")]
        public static partial void CheckSent(ILogger logger, IPEndPoint @base, IPEndPoint remote, bool useCandidate);

        [LoggerMessage(2005, LogLevel.Debug, "ICE check {Base} -> {Remote} succeeded")]
        public static partial void CheckSucceeded(ILogger logger, IPEndPoint @base, IPEndPoint remote);

        [LoggerMessage(2006, LogLevel.Debug, "ICE check {Base} -> {Remote} timed out")]
        public static partial void CheckTimedOut(ILogger logger, IPEndPoint @base, IPEndPoint remote);

        [LoggerMessage(2007, LogLevel.Debug, "ICE check {Base} -> {Remote} got error {Code}")]
        public static partial void CheckError(ILogger logger, IPEndPoint @base, IPEndPoint remote, int code);

        [LoggerMessage(2008, LogLevel.Debug, "ICE nominating {Base} -> {Remote}")]
        public static partial void Nominating(ILogger logger, IPEndPoint @base, IPEndPoint remote);

        [LoggerMessage(2009, LogLevel.Information, "ICE selected pair {Pair}")]
        public static partial void PairSelected(ILogger logger, IceSelectedPair pair);

        [LoggerMessage(2010, LogLevel.Debug, "ICE role {From} -> {To} (role conflict)")]
        public static partial void RoleSwitched(ILogger logger, IceRole from, IceRole to);

        [LoggerMessage(2011, LogLevel.Debug, "ICE dropped STUN from {Source}: {Reason}")]
        public static partial void DroppedStun(ILogger logger, IPEndPoint source, string reason);

        [LoggerMessage(2012, LogLevel.Debug, "ICE dropped non-STUN datagram from {Source} (first byte {First})")]
        public static partial void DroppedData(ILogger logger, IPEndPoint source, byte first);

        [LoggerMessage(2013, LogLevel.Debug, "ICE peer-reflexive remote candidate {Source}")]
        public static partial void PeerReflexiveRemote(ILogger logger, IPEndPoint source);

        [LoggerMessage(2014, LogLevel.Debug, "ICE local peer-reflexive address {Mapped} on base {Base}")]
        public static partial void LocalPeerReflexive(ILogger logger, IPEndPoint mapped, IPEndPoint @base);

        [LoggerMessage(2015, LogLevel.Warning, "ICE consent lost on {Base} -> {Remote} (RFC 7675)")]
        public static partial void ConsentLost(ILogger logger, IPEndPoint @base, IPEndPoint remote);

        [LoggerMessage(2016, LogLevel.Debug, "ICE sent error {Code} to {Source}")]
        public static partial void ErrorResponseSent(ILogger logger, IPEndPoint source, int code);

        [LoggerMessage(2017, LogLevel.Debug, "ICE STUN server {Server} did not answer")]
        public static partial void ServerBindingTimedOut(ILogger logger, IPEndPoint server);

        [LoggerMessage(2018, LogLevel.Information, "ICE restart, new local ufrag {Ufrag}")]
        public static partial void Restarted(ILogger logger, string ufrag);

        [LoggerMessage(2019, LogLevel.Information, "ICE failed: no valid pair among {Count} pairs")]
        public static partial void ChecksFailed(ILogger logger, int count);
    }
}
