using Kvs.WebRtc.PeerConnection.Ice;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>Creates TURN allocations (<see cref="TurnAllocation"/>) for the ICE agent.</summary>
internal sealed class TurnRelayFactory : IIceRelayFactory
{
    private readonly TurnRelayOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the factory.</summary>
    /// <param name="options">Settings; <see cref="TurnRelayOptions.Default"/> when null.</param>
    /// <param name="timeProvider">Clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    public TurnRelayFactory(TurnRelayOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? TurnRelayOptions.Default;
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TurnAllocation>();
    }

    /// <inheritdoc />
    public async ValueTask<IIceRelay> AllocateAsync(IceRelayServer server, CancellationToken cancellationToken) =>
        await AllocateTurnAsync(server, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="AllocateAsync"/>, typed.</summary>
    /// <exception cref="TurnException">Refused, unauthorized, timed out, or unreachable.</exception>
    public Task<TurnAllocation> AllocateTurnAsync(IceRelayServer server, CancellationToken cancellationToken = default) =>
        TurnAllocation.AllocateAsync(server, _options, _timeProvider, _logger, cancellationToken);
}
