using Kvs.WebRtc.Signaling.ControlPlane;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Signaling.IceServers;

/// <summary>
/// Supplies the ICE servers of a KVS channel: the synthesised KVS STUN server plus the TURN servers from
/// GetIceServerConfig. The TURN list is cached until <see cref="IceServerProviderOptions.RefreshMargin"/> before its
/// shortest TTL expires; concurrent callers share one in-flight request.
/// </summary>
/// <remarks>
/// Call <see cref="RefreshAsync"/> on a <c>RECONNECT_ICE_SERVER</c> message. When the shortest TTL is at or below the
/// margin (or a server has no TTL), nothing is cached: every <see cref="GetIceServersAsync"/> fetches afresh. An answer
/// without any TURN server is reused for <see cref="EmptyListCacheDuration"/>.
/// A caller's cancellation abandons its wait only; the shared fetch is bounded by the client's own timeout.
/// Thread-safe.
/// </remarks>
public sealed partial class IceServerProvider
{
    /// <summary>How long an answer without any TURN server is reused: 5 minutes.</summary>
    public static readonly TimeSpan EmptyListCacheDuration = TimeSpan.FromMinutes(5);

    private readonly Func<CancellationToken, Task<GetIceServerConfigResponse>> _fetch;
    private readonly IceServerProviderOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IceServer? _stun;
    private readonly object _gate = new();
    private Snapshot? _current;
    private Flight? _inFlight;

    /// <summary>Creates a provider.</summary>
    /// <param name="signalingClient">
    /// The client of the channel's HTTPS endpoint; may be null only when <see cref="IceServerProviderOptions.IncludeTurn"/> is false.
    /// </param>
    /// <param name="options">The configuration.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid, or TURN is wanted without a client or channel ARN.</exception>
    public IceServerProvider(KinesisVideoSignalingClient? signalingClient, IceServerProviderOptions options)
        : this(CreateFetch(signalingClient, options), options)
    {
    }

    internal IceServerProvider(Func<CancellationToken, Task<GetIceServerConfigResponse>> fetch, IceServerProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new ArgumentException("Region is required.", nameof(options));
        }

        if (options.RefreshMargin < TimeSpan.Zero)
        {
            throw new ArgumentException("RefreshMargin must not be negative.", nameof(options));
        }

        _fetch = fetch;
        _options = options;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<IceServerProvider>() ?? NullLogger.Instance;
        if (options.IncludeStun)
        {
            _stun = new IceServer([KinesisVideoEndpoints.GetStunUrl(options.Region, options.UseFips, options.UseDualStack)]);
        }
    }

    /// <summary>When the cached TURN servers become stale, or null when nothing is cached.</summary>
    public DateTimeOffset? RefreshAt => Volatile.Read(ref _current)?.RefreshAt;

    /// <summary>
    /// Returns the ICE servers (STUN first, then TURN), from the cache when it is fresh, otherwise fetched (one shared
    /// request for concurrent callers).
    /// </summary>
    /// <param name="cancellationToken">Abandons this caller's wait.</param>
    /// <returns>The servers.</returns>
    /// <exception cref="SignalingException">GetIceServerConfig failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<IReadOnlyList<IceServer>> GetIceServersAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.IncludeTurn)
        {
            // No TURN: the STUN server alone, or nothing (host candidates only, e.g. against a local emulator).
            return _stun is null ? [] : [_stun];
        }

        var current = Volatile.Read(ref _current);
        if (current is not null && _timeProvider.GetUtcNow() < current.RefreshAt)
        {
            return current.Servers;
        }

        var snapshot = await JoinOrStartAsync(forceNew: false).WaitAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Servers;
    }

    /// <summary>
    /// Drops the cache and fetches new TURN servers (e.g. on <c>RECONNECT_ICE_SERVER</c>). Joins a fetch that started
    /// after the cache was dropped; never returns servers fetched before this call.
    /// </summary>
    /// <param name="cancellationToken">Abandons this caller's wait.</param>
    /// <returns>The servers.</returns>
    /// <exception cref="SignalingException">GetIceServerConfig failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<IceServer>> RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.IncludeTurn)
        {
            // No TURN: the STUN server alone, or nothing (host candidates only, e.g. against a local emulator).
            return _stun is null ? [] : [_stun];
        }

        var snapshot = await JoinOrStartAsync(forceNew: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Servers;
    }

    private Task<Snapshot> JoinOrStartAsync(bool forceNew)
    {
        lock (_gate)
        {
            if (forceNew)
            {
                _current = null;
            }

            // A forced refresh must not return data requested before it: it joins only a fetch that was itself forced
            // (started after a cache drop); otherwise it supersedes the running fetch, whose result is then discarded.
            if (_inFlight is { } running && (!forceNew || running.Forced))
            {
                return running.Task;
            }

            var flight = new Flight(forceNew);
            flight.Task = FetchAsync(flight);

            // Shared by every caller, each of whom may stop waiting (cancellation, dispose): a failure nobody awaits any
            // more is still observed here (it was logged by FetchAsync), never left to the finalizer.
            flight.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _inFlight = flight;
            return flight.Task;
        }
    }

    private async Task<Snapshot> FetchAsync(Flight flight)
    {
        await Task.Yield();
        try
        {
            var fetchedAt = _timeProvider.GetUtcNow();
            var response = await _fetch(CancellationToken.None).ConfigureAwait(false);
            var snapshot = BuildSnapshot(response, fetchedAt);
            lock (_gate)
            {
                if (ReferenceEquals(_inFlight, flight))
                {
                    _current = snapshot;
                }
            }

            Log.Fetched(_logger, snapshot.Servers.Count - (_stun is null ? 0 : 1), snapshot.RefreshAt);
            return snapshot;
        }
        catch (Exception ex)
        {
            Log.FetchFailed(_logger, ex.GetType().Name);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_inFlight, flight))
                {
                    _inFlight = null;
                }
            }
        }
    }

    private Snapshot BuildSnapshot(GetIceServerConfigResponse response, DateTimeOffset fetchedAt)
    {
        var servers = new List<IceServer>();
        if (_stun is not null)
        {
            servers.Add(_stun);
        }

        TimeSpan? minTtl = null;
        var anyWithoutTtl = false;
        foreach (var item in response.IceServerList ?? [])
        {
            if (item is null)
            {
                throw new SignalingException(
                    SignalingError.InvalidResponse, "GetIceServerConfig returned a null ICE server.", statusCode: System.Net.HttpStatusCode.OK);
            }

            var ttl = item.Ttl;
            anyWithoutTtl |= ttl is null;
            if (ttl is { } t && (minTtl is null || t < minTtl))
            {
                minTtl = t;
            }

            servers.Add(item);
        }

        DateTimeOffset refreshAt;
        if (anyWithoutTtl)
        {
            refreshAt = fetchedAt;
        }
        else if (minTtl is { } shortest)
        {
            refreshAt = shortest <= _options.RefreshMargin ? fetchedAt : fetchedAt + shortest - _options.RefreshMargin;
        }
        else
        {
            // No TURN server at all (e.g. an emulator without TURN): nothing expires, but ask again after a while.
            refreshAt = fetchedAt + EmptyListCacheDuration;
        }

        return new Snapshot(servers, refreshAt);
    }

    private static Func<CancellationToken, Task<GetIceServerConfigResponse>> CreateFetch(
        KinesisVideoSignalingClient? client, IceServerProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IncludeTurn)
        {
            return static _ => Task.FromResult(new GetIceServerConfigResponse { IceServerList = [] });
        }

        if (client is null)
        {
            throw new ArgumentException("A KinesisVideoSignalingClient is required when IncludeTurn is true.", nameof(client));
        }

        if (!RequestValidator.IsArn(options.ChannelArn))
        {
            throw new ArgumentException("ChannelArn must be a Kinesis Video channel ARN when IncludeTurn is true.", nameof(options));
        }

        var request = new GetIceServerConfigRequest
        {
            ChannelARN = options.ChannelArn!,
            ClientId = options.ClientId,
            Service = GetIceServerConfigRequest.TurnService,
        };
        RequestValidator.Validate(request);
        return ct => client.GetIceServerConfigAsync(request, ct);
    }

    private sealed record Snapshot(IReadOnlyList<IceServer> Servers, DateTimeOffset RefreshAt);

    private sealed class Flight(bool forced)
    {
        public bool Forced { get; } = forced;

        public Task<Snapshot> Task { get; set; } = null!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Fetched {TurnCount} TURN servers; refresh at {RefreshAt}")]
        public static partial void Fetched(ILogger logger, int turnCount, DateTimeOffset refreshAt);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "GetIceServerConfig failed ({ExceptionType})")]
        public static partial void FetchFailed(ILogger logger, string exceptionType);
    }
}
