using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing.Media;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// A camera for session tests: the H.264 test file looped at its frame rate in real time, timestamps growing without a
/// break, until <see cref="StopAsync"/>.
/// </summary>
internal sealed class LoopingCamera : IAsyncDisposable
{
    /// <summary>One frame's duration at the test file's rate.</summary>
    public static readonly TimeSpan FrameInterval = TimeSpan.FromSeconds(1.0 / TestMedia.FramesPerSecond);

    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private int _written;

    private LoopingCamera(EncodedFrameTrack video, CancellationToken cancellationToken)
    {
        var file = AnnexBReader.ReadFile(TestMedia.H264Path, AnnexBCodec.H264, TestMedia.FramesPerSecond).ToList();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(FrameInterval);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var frame = file[_written % file.Count];
                await video.WriteFrameAsync(new EncodedFrame(frame.AccessUnit, FrameInterval * _written, frame.IsKeyFrame), token).ConfigureAwait(false);
                Interlocked.Increment(ref _written);
            }
        }, CancellationToken.None);
    }

    /// <summary>Frames written so far.</summary>
    public int Written => Volatile.Read(ref _written);

    /// <summary>Starts writing to <paramref name="video"/>.</summary>
    public static LoopingCamera Start(EncodedFrameTrack video, CancellationToken cancellationToken) => new(video, cancellationToken);

    /// <summary>Stops writing; returns the number of frames written.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        return Written;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
