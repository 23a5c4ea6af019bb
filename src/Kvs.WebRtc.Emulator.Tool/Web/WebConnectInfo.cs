using Kvs.WebRtc.Signaling.IceServers;

namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>What the page needs to open signaling: the channel ARN, region, WebSocket endpoint and ICE servers.</summary>
/// <param name="ChannelArn">The channel ARN.</param>
/// <param name="Region">The channel's region (the page passes it to the SDK).</param>
/// <param name="IsMaster">The role the endpoint is for.</param>
/// <param name="WssEndpoint">The unsigned WebSocket endpoint (the page asks <c>api/sign</c> to sign it).</param>
/// <param name="IceServers">STUN (AWS only) and TURN servers; TURN credentials are short-lived, never AWS secrets.</param>
internal sealed record WebConnectInfo(string ChannelArn, string Region, bool IsMaster, Uri WssEndpoint, IReadOnlyList<IceServer> IceServers);
