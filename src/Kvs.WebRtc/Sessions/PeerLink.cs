using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.IceServers;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// One peer connection bound to one remote client over signaling: trickles local candidates to it, and buffers the
/// remote candidates that arrive before the remote description (KVS delivers them in any order relative to it).
/// </summary>
internal sealed partial class PeerLink : IAsyncDisposable
{
    /// <summary>Remote candidates kept while waiting for the remote description; more are dropped (logged).</summary>
    internal const int MaxPendingCandidates = 100;

    private readonly SignalingClient _signaling;
    private readonly string? _recipientClientId;
    private readonly ILogger _logger;
    private readonly ClientWarningLimiter? _warnings;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<RTCIceCandidateInit> _pending = [];
    private readonly CancellationTokenSource _lifetime = new();
    private bool _remoteDescriptionSet;
    private int _disposed;

    /// <summary>Creates the link and its peer connection.</summary>
    /// <param name="signaling">Where local candidates are sent.</param>
    /// <param name="remoteClientId">Who the remote peer is (for logs and messages).</param>
    /// <param name="recipientClientId">The recipient for sends: the viewer's id on a master, null on a viewer.</param>
    /// <param name="configuration">Peer-connection configuration, ICE servers included.</param>
    /// <param name="options">Peer-connection options (logging, time).</param>
    /// <param name="logger">Session logger.</param>
    /// <param name="warnings">Rate-limits the warnings the remote client causes (bad candidates); null logs them all.</param>
    public PeerLink(
        SignalingClient signaling, string remoteClientId, string? recipientClientId, RTCConfiguration configuration, RTCPeerConnectionOptions options, ILogger logger,
        ClientWarningLimiter? warnings = null)
    {
        _warnings = warnings;
        _signaling = signaling;
        RemoteClientId = remoteClientId;
        _recipientClientId = recipientClientId;
        _logger = logger;
        Connection = new RTCPeerConnection(configuration, options);
        Connection.IceCandidate += OnLocalCandidate;
    }

    /// <summary>The remote client's id.</summary>
    public string RemoteClientId { get; }

    /// <summary>The peer connection.</summary>
    public RTCPeerConnection Connection { get; }

    /// <summary>
    /// Before an ICE restart: fetches the channel's ICE servers again (the provider refreshes them ahead of their TTL) and
    /// hands them to the connection, so that relays allocated again (a TURN server restarted, an allocation refused) use
    /// credentials that have not expired. A failure keeps the current servers and is logged; it never stops the restart.
    /// </summary>
    public async Task RefreshIceServersAsync(IceServerProvider provider, RTCConfiguration? baseConfiguration, CancellationToken cancellationToken)
    {
        try
        {
            var servers = await provider.GetIceServersAsync(cancellationToken).ConfigureAwait(false);
            Connection.SetConfiguration(WithIceServers(baseConfiguration, servers));
        }
        catch (Exception ex) when (ex is SignalingException or WebRtcException or ArgumentException)
        {
            Log.IceServersNotRefreshed(_logger, RemoteClientId, ex.Message);
        }
    }

    /// <summary>Converts the channel's ICE servers (KVS STUN and TURN) into the peer connection's form.</summary>
    /// <remarks>Every other property is copied from <paramref name="baseConfiguration"/> (see <see cref="CopyConfiguration"/>).</remarks>
    public static RTCConfiguration WithIceServers(RTCConfiguration? baseConfiguration, IReadOnlyList<IceServer> servers) =>
        CopyConfiguration(
            baseConfiguration ?? new RTCConfiguration(),
            [.. servers.Select(s => new RTCIceServer { Urls = s.Urls, Username = s.Username, Credential = s.Credential })]);

    /// <summary>
    /// A copy of <paramref name="source"/> (its lists copied too), with other ICE servers when given: what a session keeps
    /// of the caller's configuration. Every public property is copied (a test checks that none is missed).
    /// </summary>
    public static RTCConfiguration CopyConfiguration(RTCConfiguration source, IReadOnlyList<RTCIceServer>? iceServers = null) => new()
    {
        IceServers = iceServers ?? [.. source.IceServers],
        IceTransportPolicy = source.IceTransportPolicy,
        IncludeLoopbackCandidates = source.IncludeLoopbackCandidates,
        EnableIpv6 = source.EnableIpv6,
        HostAddresses = source.HostAddresses is null ? null : [.. source.HostAddresses],
    };

    /// <summary>Applies the remote description, then the candidates that were waiting for it.</summary>
    /// <exception cref="WebRtcException">The description is malformed or not allowed in the current state.</exception>
    public async Task SetRemoteDescriptionAsync(RTCSessionDescription description, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Connection.SetRemoteDescriptionAsync(description, cancellationToken).ConfigureAwait(false);
            _remoteDescriptionSet = true;
            foreach (var candidate in _pending)
            {
                await AddCandidateCoreAsync(candidate, cancellationToken).ConfigureAwait(false);
            }

            _pending.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds a remote candidate now, or keeps it until the remote description is set. A bad candidate is logged and skipped.</summary>
    public async Task AddRemoteCandidateAsync(IceCandidatePayload payload, CancellationToken cancellationToken)
    {
        var candidate = new RTCIceCandidateInit(payload.Candidate, payload.SdpMid, payload.SdpMLineIndex, payload.UsernameFragment);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_remoteDescriptionSet)
            {
                await AddCandidateCoreAsync(candidate, cancellationToken).ConfigureAwait(false);
            }
            else if (_pending.Count < MaxPendingCandidates)
            {
                _pending.Add(candidate);
            }
            else if (_warnings?.ShouldLog(RemoteClientId) ?? true)
            {
                Log.PendingCandidateDropped(_logger, RemoteClientId, MaxPendingCandidates);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Connection.IceCandidate -= OnLocalCandidate;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        _gate.Dispose();
    }

    private async Task AddCandidateCoreAsync(RTCIceCandidateInit candidate, CancellationToken cancellationToken)
    {
        try
        {
            await Connection.AddIceCandidateAsync(candidate, cancellationToken).ConfigureAwait(false);
        }
        catch (WebRtcException ex)
        {
            // One bad candidate from a peer must not end its session: the others may well work.
            if (!(_warnings?.ShouldLog(RemoteClientId) ?? true))
            {
                return;
            }

            Log.RemoteCandidateRejected(_logger, RemoteClientId, ex.Error, ex.Message);
        }
    }

    private void OnLocalCandidate(object? sender, RTCPeerConnectionIceEventArgs e)
    {
        // KVS signaling has no end-of-candidates message: the peer learns it from its own ICE timeouts.
        if (e.Candidate is null || e.Candidate.IsEndOfCandidates)
        {
            return;
        }

        _ = SendCandidateAsync(e.Candidate);
    }

    private async Task SendCandidateAsync(RTCIceCandidateInit candidate)
    {
        try
        {
            var payload = new IceCandidatePayload(candidate.Candidate, candidate.SdpMid, candidate.SdpMLineIndex, candidate.UsernameFragment);
            await _signaling.SendIceCandidateAsync(payload, _recipientClientId, cancellationToken: _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SignalingException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Log.CandidateSendFailed(_logger, RemoteClientId, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Warning, "Remote ICE candidate from {ClientId} rejected ({Error}): {Reason}")]
        public static partial void RemoteCandidateRejected(ILogger logger, string clientId, WebRtcError error, string reason);

        [LoggerMessage(9002, LogLevel.Warning, "Dropped a remote ICE candidate from {ClientId}: {Max} are already waiting for the remote description")]
        public static partial void PendingCandidateDropped(ILogger logger, string clientId, int max);

        [LoggerMessage(9003, LogLevel.Debug, "Could not send a local ICE candidate to {ClientId}: {Reason}")]
        public static partial void CandidateSendFailed(ILogger logger, string clientId, string reason);

        [LoggerMessage(9004, LogLevel.Warning, "ICE restart with {ClientId}: the ICE servers could not be fetched again, the current ones stay: {Reason}")]
        public static partial void IceServersNotRefreshed(ILogger logger, string clientId, string reason);
    }
}
