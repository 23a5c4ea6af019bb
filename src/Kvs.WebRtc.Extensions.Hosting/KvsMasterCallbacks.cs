using Kvs.WebRtc.Sessions;

namespace Kvs.WebRtc.Hosting;

/// <summary>The delegates <see cref="KvsMasterBuilder"/> collects for the hosted master (one singleton per service collection).</summary>
internal sealed class KvsMasterCallbacks
{
    public List<Action<IServiceProvider, MasterSessionOptions>> ConfigureSession { get; } = [];

    public List<Func<IServiceProvider, MasterSession, CancellationToken, Task>> OnStarted { get; } = [];
}
