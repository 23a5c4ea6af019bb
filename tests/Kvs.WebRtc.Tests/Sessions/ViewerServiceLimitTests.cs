using System.Diagnostics;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// The signaling service's own viewer limit, end to end through the emulator: KVS refuses a viewer connect beyond the
/// channel's limit with HTTP 400 <c>ClientLimitExceededException</c> (the emulator does the same), and
/// <see cref="ViewerSession.ConnectAsync"/> reports it as <see cref="KvsSessionException"/> (<see cref="KvsSessionError.ViewerRefused"/>) after one retry instead
/// of waiting for its timeout.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ViewerServiceLimitTests : SessionFixture
{
    /// <inheritdoc />
    protected override string ChannelPrefix => "service-limit-";

    /// <inheritdoc />
    protected override KvsEmulatorOptions CreateEmulatorOptions() => new() { MaxViewersPerChannel = 1 };

    [Test]
    public async Task ConnectAsync_ChannelAtTheServiceViewerLimit_ThrowsViewerRefusedFastWithTheSignalingError(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        await using var first = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        var rejectedBefore = Emulator.GetStatistics().ConnectionsRejected;

        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<KvsSessionException>(async () =>
        {
            await using var second = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = ChannelOptions, ClientId = "viewer-2", PeerConfiguration = Loopback, ConnectTimeout = TimeSpan.FromSeconds(20) }, cancellationToken);
        });
        clock.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(error!.Error, Is.EqualTo(KvsSessionError.ViewerRefused));
            Assert.That(error.Reason, Is.EqualTo(KvsSessionException.ViewerLimitReached));
            Assert.That(error.RefusedBySignalingService, Is.True);
            Assert.That(error.Message, Does.Contain("signaling service").And.Contain("viewer limit reached"));
            Assert.That(error.InnerException, Is.InstanceOf<SignalingException>());
            Assert.That(((SignalingException)error.InnerException!).Error, Is.EqualTo(SignalingError.ClientLimitExceeded));
            Assert.That((int?)((SignalingException)error.InnerException!).StatusCode, Is.EqualTo(400));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)), "refused after one retry, well before the 20 s connect timeout");
            Assert.That(Emulator.GetStatistics().ConnectionsRejected - rejectedBefore, Is.EqualTo(2), "the first connect and its one retry");
        });
        Assert.That(master.Viewers.Select(v => v.ClientId), Is.EquivalentTo(new[] { "viewer-1" }), "the connected viewer is untouched");
    }

    [Test]
    public async Task ConnectAsync_ServiceSlotFreedBeforeTheRetry_Connects(CancellationToken cancellationToken)
    {
        await using var master = await MasterSession.StartAsync(MasterOptions(), cancellationToken);
        var first = await ViewerSession.ConnectAsync(ViewerOptions("viewer-1"), cancellationToken);
        var rejectedBefore = Emulator.GetStatistics().ConnectionsRejected;

        var connecting = ViewerSession.ConnectAsync(ViewerOptions("viewer-2"), cancellationToken);
        await WaitUntilAsync(() => Emulator.GetStatistics().ConnectionsRejected > rejectedBefore, cancellationToken);
        await first.DisposeAsync(); // the slot frees within the retry delay (a throttled connect looks the same)

        await using var second = await connecting.WaitAsync(WaitTimeout, cancellationToken);
        Assert.That(second.PeerConnection.ConnectionState, Is.EqualTo(Kvs.WebRtc.PeerConnection.RTCPeerConnectionState.Connected));
    }
}
