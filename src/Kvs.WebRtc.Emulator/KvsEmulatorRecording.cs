namespace Kvs.WebRtc.Emulator;

/// <summary>
/// One recording of the emulator's storage session (WebRTC ingestion) for a channel: the media a master in ingestion
/// mode sent to the emulated storage peer, as files a person can play (raw H.264 Annex-B, Ogg Opus, and a Matroska file
/// when ffmpeg is available).
/// </summary>
/// <remarks>A snapshot: call <see cref="KvsEmulator.Recordings"/> again for fresh counts.</remarks>
public sealed record KvsEmulatorRecording
{
    /// <summary>The channel ARN.</summary>
    public required string ChannelArn { get; init; }

    /// <summary>The channel name.</summary>
    public required string ChannelName { get; init; }

    /// <summary>The stream ARN from the channel's media storage configuration.</summary>
    public string? StreamArn { get; init; }

    /// <summary>The H.264 Annex-B file (<c>.h264</c>).</summary>
    public required string VideoPath { get; init; }

    /// <summary>The Ogg Opus file (<c>.ogg</c>).</summary>
    public required string AudioPath { get; init; }

    /// <summary>Video frames recorded.</summary>
    public long VideoFrames { get; init; }

    /// <summary>Audio packets recorded.</summary>
    public long AudioFrames { get; init; }

    /// <summary>How many times the master joined this session (a reconnect joins again; the recording continues).</summary>
    public int Joins { get; init; }

    /// <summary>How many storage peer connections reached the connected state.</summary>
    public int Connections { get; init; }

    /// <summary>True while the storage peer is connected to the master.</summary>
    public bool IsConnected { get; init; }

    /// <summary>True once a file reached <see cref="KvsEmulatorOptions.MaxRecordingBytes"/> and stopped growing.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>How many times viewers joined this session (<c>JoinStorageSessionAsViewer</c>).</summary>
    public int ViewerJoins { get; init; }

    /// <summary>Viewers the session forwards the master's media to now.</summary>
    public int Viewers { get; init; }

    /// <summary>
    /// The Matroska file (<c>.mkv</c>, video and audio in one file, streams copied) made when the session ended, if
    /// <c>ffmpeg</c> was found (<see cref="KvsEmulatorOptions.FfmpegPath"/>); null while the session runs or without ffmpeg.
    /// </summary>
    public string? MatroskaPath { get; init; }

    /// <summary>When the recording started (emulator clock).</summary>
    public DateTimeOffset StartedAt { get; init; }
}
