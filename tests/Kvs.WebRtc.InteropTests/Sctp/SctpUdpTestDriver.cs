using System.Net;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Sctp;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Sctp;

/// <summary>
/// One <see cref="SctpAssociation"/> over a UDP socket on 127.0.0.1 (one SCTP packet per datagram), driven by the
/// shared <see cref="UdpCoreDriver{TCore}"/>; this class only adds the association's events.
/// </summary>
internal sealed class SctpUdpTestDriver : IDisposable
{
    private readonly UdpCoreDriver<AssociationCore> _driver;

    public SctpUdpTestDriver(IPEndPoint? remote = null)
    {
        var core = new AssociationCore(new SctpAssociation(new SctpAssociationOptions(), TimeSpan.Zero));
        _driver = new UdpCoreDriver<AssociationCore>(core, remote, DrainEvents);
    }

    public SctpAssociation Association => _driver.Core.Association;

    public TimeSpan Now => _driver.Now;

    public int LocalPort => _driver.LocalPort;

    public List<SctpEvent> Events { get; } = [];

    public bool Pump(Func<bool> until, TimeSpan timeout) => _driver.Pump(until, timeout);

    public void Flush() => _driver.Flush();

    public void Dispose() => _driver.Dispose();

    private void DrainEvents()
    {
        while (Association.TryPollEvent(out var e))
        {
            Events.Add(e);
        }
    }

    /// <summary>
    /// Presents the association as an <see cref="IDatagramCore"/> (its packet input is still named HandlePacket here;
    /// once SctpAssociation implements the contract itself this adapter goes and the driver takes the association).
    /// </summary>
    private sealed class AssociationCore(SctpAssociation association) : IDatagramCore
    {
        public SctpAssociation Association { get; } = association;

        public TimeSpan? NextTimeout => Association.NextTimeout;

        public void HandleTimeout(TimeSpan now) => Association.HandleTimeout(now);

        public void HandleInput(ReadOnlySpan<byte> datagram, TimeSpan now) => Association.HandleInput(datagram, now);

        public bool TryPollTransmit(Span<byte> destination, TimeSpan now, out int length) => Association.TryPollTransmit(destination, now, out length);
    }
}
