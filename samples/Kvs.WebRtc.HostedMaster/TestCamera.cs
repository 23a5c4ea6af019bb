using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Samples;
using Microsoft.Extensions.Hosting;

namespace Kvs.WebRtc.HostedMaster;

/// <summary>
/// The camera of this sample: a VP8 track fed with the test pattern in a loop, for as long as the host runs. A real
/// device writes what its encoder produces; the hosted master sends the track to every viewer.
/// </summary>
internal sealed class TestCamera : BackgroundService
{
    private readonly List<EncodedFrame> _frames = TestVideo.ReadIvf(TestVideo.DefaultPath);

    /// <summary>The track given to the master (<c>ConfigureSession</c>).</summary>
    public EncodedFrameTrack Video { get; } = new(RTCRtpCodec.Vp8);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TestVideo.Duration(_frames);
        try
        {
            for (var loop = 0; !stoppingToken.IsCancellationRequested; loop++)
            {
                await TestVideo.StreamAsync(Video, _frames, period * loop, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
