using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kvs.WebRtc.Hosting;

/// <summary>
/// Runs a <see cref="MasterSession"/> for the lifetime of the host: starts it in the background when the host starts,
/// starts it again (with doubling back-off) when the start failed or the signaling connection gave up, and disposes it
/// when the host stops — every viewer's peer connection is closed (SCTP abort, DTLS close_notify) and the signaling
/// WebSocket closed, within the host's shutdown timeout.
/// </summary>
internal sealed partial class KvsMasterHostedService : BackgroundService
{
    private readonly KvsMasterAccessor _accessor;
    private readonly KvsMasterCallbacks _callbacks;
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<KvsWebRtcOptions> _options;
    private readonly ILogger _logger;

    /// <remarks>
    /// Takes no service that needs valid options, so that the host's start-time validation reports a configuration
    /// error first (hosted services are created before it runs).
    /// </remarks>
    public KvsMasterHostedService(
        KvsMasterAccessor accessor,
        KvsMasterCallbacks callbacks,
        IServiceProvider services,
        IOptionsMonitor<KvsWebRtcOptions> options,
        ILoggerFactory? loggerFactory)
    {
        _accessor = accessor;
        _callbacks = callbacks;
        _services = services;
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KvsMasterHostedService>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let StartAsync return at once: the first start runs in the background like every later one.
        await Task.Yield();
        var factory = _services.GetRequiredService<KvsChannelFactory>();
        var delay = _options.CurrentValue.Master.RestartDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var ranFine = await RunOnceAsync(factory, stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            var master = _options.CurrentValue.Master;
            delay = ranFine ? master.RestartDelay : delay;
            Log.Restarting(_logger, delay);
            try
            {
                await Task.Delay(delay, factory.TimeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(master.MaxRestartDelay.Ticks, delay.Ticks * 2));
        }
    }

    /// <summary>Starts a session and keeps it until the host stops or its signaling fails; true when it had started.</summary>
    private async Task<bool> RunOnceAsync(KvsChannelFactory factory, CancellationToken stoppingToken)
    {
        MasterSession? session = null;
        try
        {
            var options = factory.CreateMasterSessionOptions();
            foreach (var configure in _callbacks.ConfigureSession)
            {
                configure(_services, options);
            }

            session = await MasterSession.StartAsync(options, stoppingToken).ConfigureAwait(false);
            var failed = WaitForSignalingFailureAsync(session.Channel.Signaling, stoppingToken);
            foreach (var onStarted in _callbacks.OnStarted)
            {
                await onStarted(_services, session, stoppingToken).ConfigureAwait(false);
            }

            _accessor.Set(session);
            Log.Started(_logger, session.Channel.Endpoints.ChannelArn);
            await failed.ConfigureAwait(false);
            if (!stoppingToken.IsCancellationRequested)
            {
                Log.SignalingFailed(_logger, session.Channel.Endpoints.ChannelArn);
            }

            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return session is not null;
        }
#pragma warning disable CA1031 // A device keeps trying whatever went wrong (network, credentials, a callback); the error is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StartFailed(_logger, ex);
            return false;
        }
        finally
        {
            if (session is not null)
            {
                _accessor.Clear(session);
                Log.Stopping(_logger, session.Viewers.Count);
                await session.DisposeAsync().ConfigureAwait(false);
                Log.Stopped(_logger);
            }
        }
    }

    /// <summary>Completes when the signaling client gives up reconnecting (<see cref="SignalingConnectionState.Failed"/>) or the host stops.</summary>
    private static async Task WaitForSignalingFailureAsync(SignalingClient signaling, CancellationToken stoppingToken)
    {
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = signaling.States.Subscribe(new StateObserver(failed));
        if (signaling.State == SignalingConnectionState.Failed)
        {
            failed.TrySetResult();
        }

        using var registration = stoppingToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), failed);
        await failed.Task.ConfigureAwait(false);
    }

    private sealed class StateObserver(TaskCompletionSource failed) : IObserver<SignalingConnectionState>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SignalingConnectionState value)
        {
            if (value == SignalingConnectionState.Failed)
            {
                failed.TrySetResult();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9300, LogLevel.Information, "Hosted master started on {ChannelArn}")]
        public static partial void Started(ILogger logger, string channelArn);

        [LoggerMessage(9301, LogLevel.Error, "Hosted master could not start; it will try again")]
        public static partial void StartFailed(ILogger logger, Exception exception);

        [LoggerMessage(9302, LogLevel.Warning, "Hosted master on {ChannelArn} lost its signaling connection for good; restarting")]
        public static partial void SignalingFailed(ILogger logger, string channelArn);

        [LoggerMessage(9303, LogLevel.Information, "Hosted master starts again in {Delay}")]
        public static partial void Restarting(ILogger logger, TimeSpan delay);

        [LoggerMessage(9304, LogLevel.Information, "Hosted master stopping: disconnecting {ViewerCount} viewers")]
        public static partial void Stopping(ILogger logger, int viewerCount);

        [LoggerMessage(9305, LogLevel.Information, "Hosted master stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
