using Kvs.WebRtc.Media;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Samples.Viewer;

/// <summary>Reads the frames of one received track, records them to a file, and counts them.</summary>
internal sealed class TrackRecording(string kind, RemoteMediaTrack track)
{
    private long _frames;
    private long _keyFrames;
    private long _bytes;

    /// <summary>"video" or "audio".</summary>
    public string Kind { get; } = kind;

    /// <summary>Frames received.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Key frames received.</summary>
    public long KeyFrames => Interlocked.Read(ref _keyFrames);

    /// <summary>Bytes received (frame payloads).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The codec (known from the first frame).</summary>
    public RTCRtpCodec? Codec => track.Codec;

    /// <summary>The file written, once the first frame arrived.</summary>
    public string? Path { get; private set; }

    /// <summary>Completes with the first frame.</summary>
    public Task FirstFrame => _firstFrame.Task;

    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads until cancelled; writes into <paramref name="directory"/> when not null.</summary>
    public async Task RunAsync(string? directory, CancellationToken cancellationToken)
    {
        MediaFileWriter? writer = null;
        try
        {
            await foreach (var frame in track.ReadFramesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (writer is null && directory is not null && track.Codec is { } codec)
                {
                    Path = System.IO.Path.Combine(directory, Kind + MediaFileWriter.GetExtension(codec));
                    writer = await MediaFileWriter.CreateAsync(Path, codec, cancellationToken).ConfigureAwait(false);
                }

                if (writer is not null)
                {
                    await writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _frames);
                Interlocked.Add(ref _bytes, frame.Data.Length);
                if (frame.IsKeyFrame)
                {
                    Interlocked.Increment(ref _keyFrames);
                }

                _firstFrame.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
