using System.Globalization;
using System.Net;
using System.Text.Json;
using Kvs.WebRtc.Signaling.ControlPlane.Internal;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Signaling.ControlPlane;

/// <summary>
/// "Get or create the channel, then resolve its endpoints": describes a channel by name or ARN (optionally creating it
/// and waiting until it is ACTIVE) and fetches its WSS and HTTPS endpoints for a role.
/// </summary>
/// <remarks>
/// Results are cached per control-plane endpoint, region, channel and role for <see cref="SignalingChannelResolverOptions.CacheDuration"/>
/// (10 h by default), in memory and optionally in a JSON file so a restarted device skips the control plane.
/// Concurrent callers for the same key share one in-flight resolution; a caller's cancellation abandons only its own
/// wait (the shared resolution is bounded by the client's per-call timeouts and the activation poll limit).
/// Call <see cref="Invalidate"/> when an endpoint stops working (e.g. a 404 or repeated connect failures). Thread-safe.
/// </remarks>
public sealed partial class SignalingChannelResolver
{
    private readonly KinesisVideoClient _client;
    private readonly SignalingChannelResolverOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, ResolverCacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<SignalingChannelEndpoints>> _inFlight = new(StringComparer.Ordinal);
    private readonly object _fileGate = new();
    private bool _fileLoaded;

    /// <summary>Creates a resolver over a control-plane client.</summary>
    /// <param name="client">The control-plane client (not disposed by the resolver).</param>
    /// <param name="options">The configuration, or null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public SignalingChannelResolver(KinesisVideoClient client, SignalingChannelResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new SignalingChannelResolverOptions();
        if (options.CacheDuration < TimeSpan.Zero)
        {
            throw new ArgumentException("CacheDuration must not be negative.", nameof(options));
        }

        if (options.ActivationPollInterval < TimeSpan.Zero || options.MaxActivationPolls < 1)
        {
            throw new ArgumentException("ActivationPollInterval must not be negative and MaxActivationPolls must be positive.", nameof(options));
        }

        if (options.MessageTtlSecondsForCreate is < RequestValidator.MinMessageTtlSeconds or > RequestValidator.MaxMessageTtlSeconds)
        {
            throw new ArgumentException("MessageTtlSecondsForCreate must be 5-120.", nameof(options));
        }

        if (options.CacheFilePath is { Length: 0 })
        {
            throw new ArgumentException("CacheFilePath must not be empty (use null for no file).", nameof(options));
        }

        _client = client;
        _options = options;
        _timeProvider = options.TimeProvider ?? client.Invoker.TimeProvider;
        _logger = (options.LoggerFactory ?? client.Invoker.LoggerFactory).CreateLogger<SignalingChannelResolver>();
    }

    /// <summary>Resolves a channel's ARN and endpoints for a role, from the cache when it is fresh.</summary>
    /// <param name="channelNameOrArn">A channel name (1-256 of <c>[a-zA-Z0-9_.-]</c>) or a channel ARN.</param>
    /// <param name="role">The role (<see cref="ChannelRole.Master"/> or <see cref="ChannelRole.Viewer"/>).</param>
    /// <param name="createIfMissing">Create the channel (by name only) when it does not exist.</param>
    /// <param name="cancellationToken">Abandons this caller's wait.</param>
    /// <returns>The ARN, region and endpoints.</returns>
    /// <exception cref="ArgumentException">The name/ARN or role is invalid.</exception>
    /// <exception cref="SignalingException">A control-plane call failed (e.g. <see cref="SignalingError.ResourceNotFound"/>:
    /// the channel does not exist and <paramref name="createIfMissing"/> is false; <see cref="SignalingError.ResourceInUse"/>:
    /// it is being deleted), returned an unusable answer, or a created channel did not become ACTIVE in time
    /// (<see cref="SignalingError.RequestTimeout"/>).</exception>
    public async Task<SignalingChannelEndpoints> ResolveAsync(
        string channelNameOrArn, ChannelRole role, bool createIfMissing = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelNameOrArn);
        var isArn = RequestValidator.IsArn(channelNameOrArn);
        if (!isArn && !RequestValidator.IsChannelName(channelNameOrArn))
        {
            throw new ArgumentException("Expected a channel name (1-256 of [a-zA-Z0-9_.-]) or a Kinesis Video channel ARN.", nameof(channelNameOrArn));
        }

        if (role != ChannelRole.Master && role != ChannelRole.Viewer)
        {
            throw new ArgumentException("Role must be MASTER or VIEWER.", nameof(role));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = GetKey(channelNameOrArn, role);
        Task<SignalingChannelEndpoints> task;
        lock (_gate)
        {
            LoadFileIfNeeded();
            if (TryGetFresh(key) is { } cached)
            {
                Log.CacheHit(_logger, channelNameOrArn, role.Value);
                return cached;
            }

            if (!_inFlight.TryGetValue(key, out task!))
            {
                task = ResolveAndStoreAsync(key, channelNameOrArn, isArn, role, createIfMissing);
                _inFlight[key] = task;

                // The shared lookup runs on even when every caller stopped waiting (cancelled, or disposed the client
                // under it); its failure is then nobody's to observe, and must not surface as an unobserved exception.
                _ = task.ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the cached resolution of a channel and role, in memory and in the cache file.</summary>
    /// <param name="channelNameOrArn">The name or ARN as passed to <see cref="ResolveAsync"/>.</param>
    /// <param name="role">The role.</param>
    /// <exception cref="ArgumentException"><paramref name="channelNameOrArn"/> is null or empty.</exception>
    public void Invalidate(string channelNameOrArn, ChannelRole role)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelNameOrArn);
        lock (_gate)
        {
            LoadFileIfNeeded();
            _cache.Remove(GetKey(channelNameOrArn, role));
        }

        SaveFile();
    }

    // The control-plane endpoint is part of the key so that a file shared by, say, an emulator run and the real
    // service never hands one's endpoints to the other.
    private string GetKey(string channelNameOrArn, ChannelRole role) =>
        string.Join(
            '|', _client.Endpoint.AbsoluteUri, _client.Region, channelNameOrArn, role.Value.ToUpperInvariant(),
            _options.IncludeWebRtcEndpoint ? "webrtc" : "signaling");

    private SignalingChannelEndpoints? TryGetFresh(string key)
    {
        if (_options.CacheDuration == TimeSpan.Zero || !_cache.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (_timeProvider.GetUtcNow().ToUnixTimeMilliseconds() >= entry.ExpiresAtUnixMs)
        {
            _cache.Remove(key);
            return null;
        }

        return ToResult(entry);
    }

    private async Task<SignalingChannelEndpoints> ResolveAndStoreAsync(
        string key, string channelNameOrArn, bool isArn, ChannelRole role, bool createIfMissing)
    {
        await Task.Yield();
        try
        {
            var result = await ResolveCoreAsync(channelNameOrArn, isArn, role, createIfMissing).ConfigureAwait(false);
            if (_options.CacheDuration > TimeSpan.Zero)
            {
                lock (_gate)
                {
                    _cache[key] = ToEntry(result, result.ResolvedAt + _options.CacheDuration);
                }

                SaveFile();
            }

            return result;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(key);
            }
        }
    }

    private async Task<SignalingChannelEndpoints> ResolveCoreAsync(string channelNameOrArn, bool isArn, ChannelRole role, bool createIfMissing)
    {
        var ct = CancellationToken.None;
        var describe = isArn
            ? new DescribeSignalingChannelRequest { ChannelARN = channelNameOrArn }
            : new DescribeSignalingChannelRequest { ChannelName = channelNameOrArn };
        ChannelInfo channel;
        try
        {
            channel = (await _client.DescribeSignalingChannelAsync(describe, ct).ConfigureAwait(false)).ChannelInfo!;
        }
        catch (SignalingException ex) when (ex.Error == SignalingError.ResourceNotFound && createIfMissing && !isArn)
        {
            Log.Creating(_logger, channelNameOrArn);
            try
            {
                await _client.CreateSignalingChannelAsync(
                    new CreateSignalingChannelRequest
                    {
                        ChannelName = channelNameOrArn,
                        ChannelType = _options.ChannelTypeForCreate,
                        SingleMasterConfiguration = _options.MessageTtlSecondsForCreate is { } ttl
                            ? new SingleMasterConfiguration { MessageTtlSeconds = ttl }
                            : null,
                    },
                    ct).ConfigureAwait(false);
            }
            catch (SignalingException inUse) when (inUse.Error == SignalingError.ResourceInUse)
            {
                // Someone else created it first: fine, use theirs.
            }

            channel = (await _client.DescribeSignalingChannelAsync(describe, ct).ConfigureAwait(false)).ChannelInfo!;
        }

        channel = await WaitUntilActiveAsync(channel, describe, ct).ConfigureAwait(false);
        var arn = channel.ChannelARN!;
        var protocols = new List<ChannelProtocol> { ChannelProtocol.Wss, ChannelProtocol.Https };
        if (_options.IncludeWebRtcEndpoint)
        {
            protocols.Add(ChannelProtocol.WebRtc);
        }

        var endpoints = await _client.GetSignalingChannelEndpointAsync(
            new GetSignalingChannelEndpointRequest
            {
                ChannelARN = arn,
                SingleMasterChannelEndpointConfiguration = new SingleMasterChannelEndpointConfiguration { Protocols = protocols, Role = role },
            },
            ct).ConfigureAwait(false);

        var result = new SignalingChannelEndpoints
        {
            ChannelArn = arn,
            Region = RegionOf(arn) ?? _client.Region,
            Role = role,
            WssEndpoint = FindEndpoint(endpoints, ChannelProtocol.Wss, required: true)!,
            HttpsEndpoint = FindEndpoint(endpoints, ChannelProtocol.Https, required: true)!,
            WebRtcEndpoint = _options.IncludeWebRtcEndpoint ? FindEndpoint(endpoints, ChannelProtocol.WebRtc, required: true) : null,
            // Millisecond precision, as persisted, so cached and fresh results compare equal.
            ResolvedAt = DateTimeOffset.FromUnixTimeMilliseconds(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        Log.Resolved(_logger, channelNameOrArn, role.Value, arn);
        return result;
    }

    private async Task<ChannelInfo> WaitUntilActiveAsync(ChannelInfo channel, DescribeSignalingChannelRequest describe, CancellationToken ct)
    {
        for (var poll = 1; ; poll++)
        {
            if (channel.ChannelStatus == ChannelStatus.Deleting)
            {
                throw new SignalingException(
                    SignalingError.ResourceInUse, $"The signaling channel {channel.ChannelName ?? channel.ChannelARN} is being deleted.");
            }

            if (channel.ChannelStatus is null || channel.ChannelStatus == ChannelStatus.Active || channel.ChannelStatus == ChannelStatus.Updating)
            {
                return channel;
            }

            if (poll >= _options.MaxActivationPolls)
            {
                throw new SignalingException(
                    SignalingError.RequestTimeout,
                    $"The signaling channel {channel.ChannelName ?? channel.ChannelARN} is still {channel.ChannelStatus} after {poll} checks.");
            }

            if (_options.ActivationPollInterval > TimeSpan.Zero)
            {
                await Task.Delay(_options.ActivationPollInterval, _timeProvider, ct).ConfigureAwait(false);
            }

            channel = (await _client.DescribeSignalingChannelAsync(describe, ct).ConfigureAwait(false)).ChannelInfo!;
        }
    }

    private static Uri? FindEndpoint(GetSignalingChannelEndpointResponse response, ChannelProtocol protocol, bool required)
    {
        var item = response.ResourceEndpointList?.FirstOrDefault(e => e?.Protocol == protocol);
        if (item?.ResourceEndpoint is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        if (!required)
        {
            return null;
        }

        throw new SignalingException(
            SignalingError.InvalidResponse, $"GetSignalingChannelEndpoint returned no usable {protocol} endpoint.", statusCode: HttpStatusCode.OK);
    }

    private static string? RegionOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length > 3 && parts[3].Length > 0 ? parts[3] : null;
    }

    private static ResolverCacheEntry ToEntry(SignalingChannelEndpoints result, DateTimeOffset expiresAt) => new()
    {
        ChannelArn = result.ChannelArn,
        Region = result.Region,
        Role = result.Role.Value,
        WssEndpoint = result.WssEndpoint.OriginalString,
        HttpsEndpoint = result.HttpsEndpoint.OriginalString,
        WebRtcEndpoint = result.WebRtcEndpoint?.OriginalString,
        ResolvedAtUnixMs = result.ResolvedAt.ToUnixTimeMilliseconds(),
        ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds(),
    };

    private static SignalingChannelEndpoints? ToResult(ResolverCacheEntry entry)
    {
        if (!RequestValidator.IsArn(entry.ChannelArn) || string.IsNullOrEmpty(entry.Region) || string.IsNullOrEmpty(entry.Role) ||
            !Uri.TryCreate(entry.WssEndpoint, UriKind.Absolute, out var wss) ||
            !Uri.TryCreate(entry.HttpsEndpoint, UriKind.Absolute, out var https))
        {
            return null;
        }

        Uri? webRtc = null;
        if (entry.WebRtcEndpoint is not null && !Uri.TryCreate(entry.WebRtcEndpoint, UriKind.Absolute, out webRtc))
        {
            return null;
        }

        return new SignalingChannelEndpoints
        {
            ChannelArn = entry.ChannelArn,
            Region = entry.Region,
            Role = new ChannelRole(entry.Role),
            WssEndpoint = wss,
            HttpsEndpoint = https,
            WebRtcEndpoint = webRtc,
            ResolvedAt = DateTimeOffset.FromUnixTimeMilliseconds(entry.ResolvedAtUnixMs),
        };
    }

    // Called under _gate. Small file, read synchronously once.
    private void LoadFileIfNeeded()
    {
        if (_fileLoaded || _options.CacheFilePath is not { } path)
        {
            return;
        }

        _fileLoaded = true;
        try
        {
            if (!File.Exists(path))
            {
                return;
            }

            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), ResolverCacheJsonContext.Default.ResolverCacheFile);
            if (file?.Entries is null)
            {
                throw new JsonException("The cache file has no entries object.");
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (key, entry) in file.Entries)
            {
                if (entry is not null && entry.ExpiresAtUnixMs > now && ToResult(entry) is not null)
                {
                    _cache[key] = entry;
                }
            }

            Log.FileLoaded(_logger, path, _cache.Count);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Log.FileCorrupt(_logger, path, ex.GetType().Name);
            try
            {
                File.Delete(path);
            }
            catch (Exception deleteError) when (deleteError is IOException or UnauthorizedAccessException)
            {
                Log.FileDeleteFailed(_logger, path, deleteError.GetType().Name);
            }
        }
    }

    // Small file, written synchronously (temp file + atomic rename) so readers never see a torn file.
    private void SaveFile()
    {
        if (_options.CacheFilePath is not { } path)
        {
            return;
        }

        byte[] bytes;
        lock (_gate)
        {
            var file = new ResolverCacheFile();
            foreach (var (key, entry) in _cache)
            {
                file.Entries[key] = entry;
            }

            bytes = JsonSerializer.SerializeToUtf8Bytes(file, ResolverCacheJsonContext.Default.ResolverCacheFile);
        }

        lock (_fileGate)
        {
            try
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                var temp = path + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture) + ".tmp";
                File.WriteAllBytes(temp, bytes);
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The cache file is an optimisation: failing to write it must not fail the resolution.
                Log.FileWriteFailed(_logger, path, ex.GetType().Name);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "Channel {Channel} ({Role}) resolved from the cache")]
        public static partial void CacheHit(ILogger logger, string channel, string role);

        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Channel {Channel} ({Role}) resolved to {ChannelArn}")]
        public static partial void Resolved(ILogger logger, string channel, string role, string channelArn);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Channel {Channel} does not exist; creating it")]
        public static partial void Creating(ILogger logger, string channel);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "Loaded {Count} cached resolutions from {Path}")]
        public static partial void FileLoaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "The resolver cache file {Path} is unreadable ({ErrorType}); deleting and ignoring it")]
        public static partial void FileCorrupt(ILogger logger, string path, string errorType);

        [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Could not delete the resolver cache file {Path} ({ErrorType})")]
        public static partial void FileDeleteFailed(ILogger logger, string path, string errorType);

        [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Could not write the resolver cache file {Path} ({ErrorType})")]
        public static partial void FileWriteFailed(ILogger logger, string path, string errorType);
    }
}
