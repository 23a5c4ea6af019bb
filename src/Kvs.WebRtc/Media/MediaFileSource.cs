using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>
/// Plays encoded media from a file, a directory of one-frame files or a stream into an <see cref="EncodedFrameTrack"/>
/// in real time: H.264/H.265 Annex-B (<c>.h264</c>, <c>.h265</c>), IVF with VP8/VP9 (<c>.ivf</c>), Ogg Opus
/// (<c>.ogg</c>, <c>.opus</c>), a KVS C SDK style frame directory (<c>frame-0001.h264</c>..., <c>sample-001.opus</c>...,
/// <c>.alaw</c>/<c>.ulaw</c>), or stdin piped from ffmpeg or GStreamer.
/// </summary>
/// <remarks>
/// <para>Frames are written at their time: the container's durations (IVF timestamps, Opus TOC bytes, G.711 sizes)
/// or <see cref="MediaFileSourceOptions.FramesPerSecond"/> for Annex-B video. Files and directories loop
/// (<see cref="MediaFileSourceOptions.Loop"/>) with media time running on. Every H.264/H.265 key frame carries its
/// parameter sets (the latest ones seen are put in front when the file has them only once).</para>
/// <para>When the track raises <see cref="LocalMediaTrack.KeyFrameRequested"/> (a viewer joined mid-stream or lost
/// the picture), a file or directory source plays on from the last key frame, so the new viewer starts within one
/// frame and every connected decoder still gets a valid sequence. A request made while it is replaying such a stretch
/// (another viewer joined meanwhile) skips ahead to the next key frame instead, so requests can never hold playback in
/// a loop. A stream cannot rewind and its own key frames are waited for (use a short GOP, e.g. ffmpeg <c>-g 30</c>).</para>
/// <para>Memory: a file is read whole (at most 64 MiB); a directory one file at a time; a stream holds at most two
/// frames (<see cref="MediaFileSourceOptions.MaxFrameBytes"/>). Malformed input ends <see cref="PlayAsync(EncodedFrameTrack, CancellationToken)"/> with a
/// <see cref="MediaFormatException"/> that names the file and byte offset.</para>
/// <para>One <see cref="PlayAsync(EncodedFrameTrack, CancellationToken)"/> at a time.</para>
/// </remarks>
public sealed class MediaFileSource : IDisposable
{
    private readonly IMediaFrameSource _frames;
    private readonly MediaFileSourceOptions _options;

    private int _keyFrameRequested;
    private int _playing;
    private long _framesWritten;
    private long _bytesWritten;
    private long _loops;
    private long _keyFrameReplays;

    private MediaFileSource(IMediaFrameSource frames, MediaFileSourceOptions options, string name)
    {
        _frames = frames;
        _options = options;
        Name = name;
    }

    /// <summary>The codec of the frames (create the track with it, see <see cref="CreateTrack"/>).</summary>
    public RTCRtpCodec Codec => _frames.Codec;

    /// <summary>The file, directory or stream name.</summary>
    public string Name { get; }

    /// <summary>True for a file or directory (it loops and can replay a key frame), false for a stream.</summary>
    public bool CanLoop => _frames.CanSeek;

    /// <summary>Frames in one pass through the file or directory, or null for a stream.</summary>
    public int? FrameCount => _frames.Count;

    /// <summary>Frames written to the track so far.</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Bytes of the frames written so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Times playback went back to the first frame.</summary>
    public long Loops => Interlocked.Read(ref _loops);

    /// <summary>Times playback went back to the last key frame, or skipped ahead to the next one, for a key frame request.</summary>
    public long KeyFrameReplays => Interlocked.Read(ref _keyFrameReplays);

    /// <summary>
    /// Opens a file (format from its extension: <c>.h264</c>/<c>.264</c>, <c>.h265</c>/<c>.hevc</c>, <c>.ivf</c>,
    /// <c>.ogg</c>/<c>.opus</c>) or a directory of one-frame files.
    /// </summary>
    /// <exception cref="MediaFormatException">The file is malformed, or its extension is unknown.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static MediaFileSource Open(string path, MediaFileSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = (options ?? new MediaFileSourceOptions()).Validate();
        if (Directory.Exists(path))
        {
            return new MediaFileSource(new FrameDirectorySource(path, options), options, path);
        }

        var format = MediaFrameSources.FormatFromExtension(path)
            ?? throw new MediaFormatException("Unknown media file extension (use .h264, .h265, .ivf, .ogg or .opus, or a frame directory).", -1, path);
        return Open(path, format, options);
    }

    /// <summary>Opens a file of a given format whatever its extension.</summary>
    /// <exception cref="MediaFormatException">The file is malformed.</exception>
    public static MediaFileSource Open(string path, MediaFileFormat format, MediaFileSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = (options ?? new MediaFileSourceOptions()).Validate();
        return new MediaFileSource(MediaFrameSources.OpenFile(path, format, options), options, path);
    }

    /// <summary>
    /// Reads a stream incrementally, e.g. stdin from <c>ffmpeg ... -f h264 -</c>, <c>-f ivf -</c> or <c>-f ogg -</c>.
    /// The source owns the stream (disposes it). For IVF the 32-byte header is read here.
    /// </summary>
    /// <exception cref="MediaFormatException">An IVF header is malformed.</exception>
    public static async Task<MediaFileSource> FromStreamAsync(
        Stream stream, MediaFileFormat format, MediaFileSourceOptions? options = null, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options = (options ?? new MediaFileSourceOptions()).Validate();
        name ??= "stream";
        IMediaFrameSource frames;
        switch (format)
        {
            case MediaFileFormat.H264AnnexB:
                frames = new AnnexBStreamSource(stream, AnnexBCodec.H264, options, name);
                break;
            case MediaFileFormat.H265AnnexB:
                frames = new AnnexBStreamSource(stream, AnnexBCodec.H265, options, name);
                break;
            case MediaFileFormat.Ivf:
                var ivf = new IvfStreamSource(stream, options, name);
                await ivf.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                frames = ivf;
                break;
            case MediaFileFormat.OggOpus:
                frames = new OggOpusStreamSource(stream, options, name);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown format.");
        }

        return new MediaFileSource(frames, options, name);
    }

    /// <summary>A new track for this source's codec.</summary>
    public EncodedFrameTrack CreateTrack(string? id = null) => new(Codec, id);

    /// <summary>
    /// Writes the frames into <paramref name="track"/> at their time until the end (a stream, or a file without
    /// <see cref="MediaFileSourceOptions.Loop"/>) or until cancelled; answers the track's key frame requests.
    /// </summary>
    /// <exception cref="MediaFormatException">The media is malformed (the file and byte offset are in the message).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InvalidOperationException">Already playing.</exception>
    public Task PlayAsync(EncodedFrameTrack track, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(track);
        return PlayAsync(track.WriteFrameAsync, track, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _frames.Dispose();

    /// <summary>
    /// Plays into <paramref name="write"/>; key frame requests come from <paramref name="requests"/> (when video) or
    /// <see cref="RequestKeyFrame"/>.
    /// </summary>
    internal async Task PlayAsync(Func<EncodedFrame, CancellationToken, ValueTask> write, LocalMediaTrack? requests, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _playing, 1) != 0)
        {
            throw new InvalidOperationException("The source is already playing.");
        }

        var replay = _options.ReplayKeyFrameOnRequest && _frames.CanSeek && Codec.Kind == MediaStreamTrackKind.Video;
        if (replay && requests is not null)
        {
            requests.KeyFrameRequested += OnKeyFrameRequested;
        }

        try
        {
            await PlayCoreAsync(write, replay, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (requests is not null)
            {
                requests.KeyFrameRequested -= OnKeyFrameRequested;
            }

            Volatile.Write(ref _playing, 0);
        }
    }

    /// <summary>A decoder needs a key frame: the next delta frame is replaced by playing on from the last key frame.</summary>
    internal void RequestKeyFrame() => Volatile.Write(ref _keyFrameRequested, 1);

    private async Task PlayCoreAsync(Func<EncodedFrame, CancellationToken, ValueTask> write, bool replay, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var started = time.GetTimestamp();
        var mediaTime = TimeSpan.Zero;
        var lastKeyIndex = -1;
        var replayAllowedAfter = -1; // within a replayed stretch a request skips ahead instead of rewinding again
        var skipping = false;        // skipping ahead to the next key frame (frames read, not written, no wait)
        var framesThisPass = 0;
        Interlocked.Exchange(ref _keyFrameRequested, 0);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = await _frames.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame is not { } f)
            {
                if (!_options.Loop || !_frames.CanSeek || framesThisPass == 0)
                {
                    return;
                }

                _frames.Seek(0);
                Interlocked.Increment(ref _loops);
                framesThisPass = 0;
                lastKeyIndex = -1;
                replayAllowedAfter = -1;
                continue;
            }

            framesThisPass++;
            if (skipping && !f.IsKeyFrame)
            {
                continue;
            }

            skipping = false;
            var wait = mediaTime - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
            else if (wait < -TimeSpan.FromSeconds(1))
            {
                // Far behind (a stalled pipe, a paused process): carry on in real time rather than in a burst.
                started = time.GetTimestamp() - (long)(mediaTime.TotalSeconds * time.TimestampFrequency);
            }

            if (f.IsKeyFrame)
            {
                // This key frame answers any request made before it.
                lastKeyIndex = f.Index;
                Interlocked.Exchange(ref _keyFrameRequested, 0);
            }
            else if (replay && lastKeyIndex >= 0 && Interlocked.Exchange(ref _keyFrameRequested, 0) == 1)
            {
                Interlocked.Increment(ref _keyFrameReplays);
                if (f.Index > replayAllowedAfter)
                {
                    // Play on from the last key frame instead of this delta frame (at this frame's time): every decoder
                    // gets a valid sequence.
                    replayAllowedAfter = f.Index;
                    _frames.Seek(lastKeyIndex);
                }
                else
                {
                    // Asked again while replaying (another viewer joined meanwhile): skip ahead to the next key frame,
                    // written at this frame's time. Playback always moves forward, whatever the rate of requests.
                    skipping = true;
                }

                continue;
            }

            await write(new EncodedFrame(f.Data, mediaTime, f.IsKeyFrame), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _framesWritten);
            Interlocked.Add(ref _bytesWritten, f.Data.Length);
            mediaTime += f.Duration;
        }
    }

    private void OnKeyFrameRequested(object? sender, EventArgs e) => Volatile.Write(ref _keyFrameRequested, 1);
}
