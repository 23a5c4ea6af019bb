using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Microsoft.Extensions.Hosting;

namespace Kvs.WebRtc.HostedMaster;

/// <summary>
/// The camera of this sample: the VP8 test pattern played in a loop by a <see cref="MediaFileSource"/>, for as long as
/// the host runs (a viewer that asks for a key frame gets the last one replayed). A real device writes what its
/// encoder produces; the hosted master sends the track to every viewer.
/// </summary>
internal sealed class TestCamera : BackgroundService
{
    private readonly MediaFileSource _file = MediaFileSource.Open(Path.Combine(AppContext.BaseDirectory, "media", "pattern-320x240.ivf"));

    public TestCamera() => Video = _file.CreateTrack();

    /// <summary>The track given to the master (<c>ConfigureSession</c>).</summary>
    public EncodedFrameTrack Video { get; }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _file.PlayAsync(Video, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
