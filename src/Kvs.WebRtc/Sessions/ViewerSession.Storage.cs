using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Sessions;

/// <summary>A viewer of the storage session (<see cref="ViewerSessionOptions.JoinStorageSession"/>): the answerer side.</summary>
public sealed partial class ViewerSession
{
    // KVS answers JoinStorageSessionAsViewer at once and the media server offers later over signaling; a join that
    // brought no offer within this interval (plus a growing, jittered back-off) is made again, as the official SDKs do.
    private static readonly TimeSpan s_storageJoinInterval = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan s_storageJoinMaxBackoff = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _storageOffer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _storageJoins;

    /// <summary>
    /// How many times this viewer called <c>JoinStorageSessionAsViewer</c> (<see cref="ViewerSessionOptions.JoinStorageSession"/>);
    /// 0 otherwise.
    /// </summary>
    public int StorageSessionJoins => Volatile.Read(ref _storageJoins);

    // The viewer's own tracks are added with AddTrack so that they take the matching section of the session's offer
    // (JSEP §5.10); everything the session sends gets a receiving transceiver when its offer is applied.
    private void AddStorageSessionTracks(RTCPeerConnection connection)
    {
        foreach (var track in _options.Tracks)
        {
            connection.AddTrack(track, _options.ClientId);
        }
    }

    // True for the storage session's first offer (the connection is made by it), false for a later re-offer.
    private bool OnStorageSessionOffer()
    {
        if (!_options.JoinStorageSession || !_storageOffer.TrySetResult())
        {
            return false;
        }

        _offerSentAt = _clock.GetUtcNow();
        Mark(ref _offerSent);
        return true;
    }

    private async Task JoinStorageSessionUntilOfferAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; !_storageOffer.Task.IsCompleted; attempt++)
        {
            try
            {
                Interlocked.Increment(ref _storageJoins);
                await _channel.JoinStorageSessionAsync(cancellationToken).ConfigureAwait(false);
                Log.StorageSessionJoined(_logger, attempt);
            }
            catch (SignalingException ex) when (IsRetryableJoinFailure(ex))
            {
                Log.StorageSessionJoinFailed(_logger, attempt, ex.ErrorCode ?? ex.Error.ToString(), ex.Message);
            }

            var backoff = TimeSpan.FromMilliseconds(Math.Min(Random.Shared.NextDouble() * 200 * attempt * attempt, s_storageJoinMaxBackoff.TotalMilliseconds));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(s_storageJoinInterval + backoff, _clock, wait.Token);
            var done = await Task.WhenAny(_storageOffer.Task, delay).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (done != _storageOffer.Task)
            {
                Log.StorageSessionNoOffer(_logger, attempt, (s_storageJoinInterval + backoff).TotalMilliseconds);
            }
        }
    }

    // A rate limit or a service fault is worth another join; the session's viewer limit, a channel without media
    // storage, bad arguments and access errors are not: they end the connect with the service's typed error.
    private static bool IsRetryableJoinFailure(SignalingException error) =>
        error.IsRetryable && !(error.Message?.Contains("maximum number of viewers", StringComparison.OrdinalIgnoreCase) ?? false);

    private static partial class Log
    {
        [LoggerMessage(9220, LogLevel.Information, "Joined the storage session as a viewer (attempt {Attempt}); waiting for its offer")]
        public static partial void StorageSessionJoined(ILogger logger, int attempt);

        [LoggerMessage(9221, LogLevel.Warning, "Joining the storage session failed (attempt {Attempt}, {ErrorCode}): {Reason}; retrying")]
        public static partial void StorageSessionJoinFailed(ILogger logger, int attempt, string? errorCode, string reason);

        [LoggerMessage(9222, LogLevel.Warning, "No offer from the storage session {Milliseconds} ms after join attempt {Attempt}; joining again")]
        public static partial void StorageSessionNoOffer(ILogger logger, int attempt, double milliseconds);

        [LoggerMessage(9223, LogLevel.Information, "Answered the storage session's offer")]
        public static partial void StorageSessionAnswered(ILogger logger);
    }
}
