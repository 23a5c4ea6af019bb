using System.Net;
using System.Net.WebSockets;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Emulator.Signaling;
using Kvs.WebRtc.Signaling;

namespace Kvs.WebRtc.Emulator;

/// <summary>
/// Fault injection for tests (not part of KVS): drop connections, push <c>GO_AWAY</c> or <c>RECONNECT_ICE_SERVER</c>,
/// delay or drop routed messages, refuse the next WebSocket connects or REST requests, and shorten the maximum
/// connection duration. Obtained from <see cref="KvsEmulator.Faults"/>.
/// </summary>
/// <remarks>
/// Thread-safe. Connection selectors receive a <see cref="KvsEmulatorConnectionInfo"/> snapshot; <see langword="null"/>
/// selects every open connection (including superseded ones still in their grace period).
/// </remarks>
public sealed class KvsEmulatorFaults
{
    private readonly SignalingHub _hub;
    private readonly FaultState _state;
    private readonly TimeSpan _defaultMaxConnectionDuration;

    internal KvsEmulatorFaults(SignalingHub hub, FaultState state, TimeSpan defaultMaxConnectionDuration)
    {
        _hub = hub;
        _state = state;
        _defaultMaxConnectionDuration = defaultMaxConnectionDuration;
    }

    /// <summary>
    /// Delay applied to every routed SDP/ICE message, measured from when the emulator received it on the emulator clock
    /// (<see cref="KvsEmulatorOptions.TimeProvider"/>). Order is preserved. Default <see cref="TimeSpan.Zero"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MessageDeliveryDelay
    {
        get => _state.DeliveryDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _state.DeliveryDelay = value;
        }
    }

    /// <summary>
    /// The maximum connection age (KVS: 1 hour). Setting it applies to open connections too: those already older are
    /// closed at once with status 1001. <see cref="Timeout.InfiniteTimeSpan"/> disables the limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (and not infinite).</exception>
    public TimeSpan MaxConnectionDuration
    {
        get => _hub.MaxConnectionDuration;
        set
        {
            if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive or Timeout.InfiniteTimeSpan.");
            }

            _hub.MaxConnectionDuration = value;
        }
    }

    /// <summary>Aborts the matching connections (no close handshake, like a network failure).</summary>
    /// <param name="selector">Which connections; null for all.</param>
    /// <returns>How many connections were dropped.</returns>
    public int DropConnections(Func<KvsEmulatorConnectionInfo, bool>? selector = null) =>
        _hub.ForEach(selector, static c => c.Abort());

    /// <summary>Sends <c>{"messageType":"GO_AWAY"}</c> to the matching connections.</summary>
    /// <param name="selector">Which connections; null for all.</param>
    /// <param name="closeAfter">If set, close those sockets with 1001 after this delay on the emulator clock (KVS allows 1 minute).</param>
    /// <returns>How many connections were sent the frame.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="closeAfter"/> is negative.</exception>
    public int SendGoAway(Func<KvsEmulatorConnectionInfo, bool>? selector = null, TimeSpan? closeAfter = null)
    {
        if (closeAfter is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(closeAfter));
        }

        var frame = SignalingServiceCodec.EncodeFrame(SignalingWireNames.GoAway, null, null, null);
        return _hub.ForEach(selector, c =>
        {
            c.TryEnqueueControl(frame);
            if (closeAfter is { } delay)
            {
                c.ScheduleClose(delay, WebSocketCloseStatus.EndpointUnavailable, "GO_AWAY grace period elapsed.");
            }
        });
    }

    /// <summary>Sends <c>{"messageType":"RECONNECT_ICE_SERVER"}</c> to the matching connections.</summary>
    /// <param name="selector">Which connections; null for all.</param>
    /// <returns>How many connections were sent the frame.</returns>
    public int SendReconnectIceServer(Func<KvsEmulatorConnectionInfo, bool>? selector = null)
    {
        var frame = SignalingServiceCodec.EncodeFrame(SignalingWireNames.ReconnectIceServer, null, null, null);
        return _hub.ForEach(selector, c => c.TryEnqueueControl(frame));
    }

    /// <summary>Silently drops the next <paramref name="count"/> routed messages at delivery time (counted in statistics).</summary>
    /// <param name="count">How many; 0 cancels a previous request.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void DropNextMessages(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _state.DropNextMessages(count);
    }

    /// <summary>
    /// Refuses the next <paramref name="count"/> WebSocket upgrades that pass the signature check with
    /// <paramref name="statusCode"/> (e.g. 400, 403, 404, 500, 503), as the service would.
    /// </summary>
    /// <param name="count">How many; 0 cancels a previous request.</param>
    /// <param name="statusCode">The HTTP status to answer with (400–599).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or the status is not an error.</exception>
    public void RejectNextConnects(int count, HttpStatusCode statusCode = HttpStatusCode.InternalServerError)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        RequireErrorStatus(statusCode);
        _state.RejectNextConnects(count, statusCode);
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> signed REST requests (control plane and GetIceServerConfig) with
    /// <paramref name="statusCode"/> and <paramref name="errorType"/> (default: throttling, 400
    /// <c>ClientLimitExceededException</c>).
    /// </summary>
    /// <param name="count">How many; 0 cancels a previous request.</param>
    /// <param name="statusCode">The HTTP status (400–599).</param>
    /// <param name="errorType">The <c>x-amzn-ErrorType</c>; null picks one that fits the status.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or the status is not an error.</exception>
    public void FailNextRequests(int count, HttpStatusCode statusCode = HttpStatusCode.BadRequest, string? errorType = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        RequireErrorStatus(statusCode);
        _state.FailNextRequests(count, statusCode, string.IsNullOrEmpty(errorType) ? AwsErrorTypes.ForStatus((int)statusCode) : errorType);
    }

    /// <summary>Clears every fault and restores <see cref="MaxConnectionDuration"/> to the configured value.</summary>
    public void Reset()
    {
        _state.Reset();
        _hub.MaxConnectionDuration = _defaultMaxConnectionDuration;
    }

    private static void RequireErrorStatus(HttpStatusCode statusCode)
    {
        if ((int)statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Must be an HTTP error status (400-599).");
        }
    }
}
