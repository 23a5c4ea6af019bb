using Kvs.WebRtc.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Kvs.WebRtc.Hosting;

/// <summary>Configures the hosted master registered by <c>AddKvsMaster</c>: its session options (tracks, peer configuration) and what runs when it starts.</summary>
/// <example>
/// <code>
/// builder.Services.AddKvsWebRtc(builder.Configuration.GetSection("Kvs"));
/// builder.Services.AddKvsMaster()
///     .ConfigureSession((services, options) => options.Tracks = [services.GetRequiredService&lt;Camera&gt;().Video])
///     .OnStarted((services, master, cancellationToken) =>
///     {
///         master.ViewerJoined.Subscribe(v => Console.WriteLine($"{v.ClientId} joined"));
///         return Task.CompletedTask;
///     });
/// </code>
/// </example>
public sealed class KvsMasterBuilder
{
    private readonly KvsMasterCallbacks _callbacks;

    internal KvsMasterBuilder(IServiceCollection services, KvsMasterCallbacks callbacks)
    {
        Services = services;
        _callbacks = callbacks;
    }

    /// <summary>The service collection the master is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adjusts the options of each session the hosted master starts (they come from <see cref="KvsChannelFactory.CreateMasterSessionOptions"/>);
    /// several calls apply in order.
    /// </summary>
    /// <param name="configure">Sets properties of the options, typically <c>options.Tracks = [...]</c>; a fresh instance per session.</param>
    /// <returns>This builder.</returns>
    public KvsMasterBuilder ConfigureSession(Action<IServiceProvider, MasterSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _callbacks.ConfigureSession.Add(configure);
        return this;
    }

    /// <summary>
    /// Runs for every session the hosted master starts, before <see cref="KvsMasterAccessor"/> exposes it: subscribe
    /// to its events here (subscriptions end with the session). A callback that throws ends that session; the master
    /// restarts after <see cref="KvsMasterOptions.RestartDelay"/>.
    /// </summary>
    /// <param name="onStarted">The callback; its token is cancelled when the host stops.</param>
    /// <returns>This builder.</returns>
    public KvsMasterBuilder OnStarted(Func<IServiceProvider, MasterSession, CancellationToken, Task> onStarted)
    {
        ArgumentNullException.ThrowIfNull(onStarted);
        _callbacks.OnStarted.Add(onStarted);
        return this;
    }
}
