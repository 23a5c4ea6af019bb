namespace Kvs.WebRtc.Testing.Media;

/// <summary>
/// The committed test media in <c>tests/Kvs.WebRtc.Testing/Media</c> (made by <c>generate-test-media.sh</c>) and the
/// facts about them that tests assert against. The files are read in place through <see cref="RepositoryPaths"/>,
/// never copied to the output folder.
/// </summary>
/// <remarks>
/// The picture (every video file): 320x240, 30 fps, 5 s = 150 frames, a keyframe every 30 frames (5 in all); four solid
/// quadrants (top-left red, top-right green, bottom-left blue, bottom-right white) and a moving 48x32 patch in the centre
/// (x 112..206, y 104..136) that never touches the quadrant centres, so every frame differs.
/// </remarks>
public static class TestMedia
{
    /// <summary>The folder holding the media and the script.</summary>
    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.Testing", "Media");

    /// <summary>H.264 Annex-B elementary stream: Constrained Baseline level 3.1, no B-frames, no AUDs, SPS+PPS before every IDR.</summary>
    public static string H264Path => Path.Combine(Directory, "pattern-320x240.h264");

    /// <summary>VP8 in IVF (fourcc <c>VP80</c>, timebase 1/30), no hidden alt-ref frames.</summary>
    public static string Vp8IvfPath => Path.Combine(Directory, "pattern-320x240.ivf");

    /// <summary>H.265 Main Annex-B elementary stream: VPS+SPS+PPS before every IDR (closed GOP), no B-frames, no AUDs.</summary>
    public static string H265Path => Path.Combine(Directory, "pattern-320x240-h265.h265");

    /// <summary>Opus in Ogg: 48 kHz mono, 20 ms CBR frames, 440 Hz sine, 5 s.</summary>
    public static string OpusOggPath => Path.Combine(Directory, "tone-48k.ogg");

    /// <summary>Raw G.711 μ-law, 8 kHz mono, 440 Hz sine, 5 s (no header).</summary>
    public static string PcmuPath => Path.Combine(Directory, "tone-8k.pcmu");

    /// <summary>Picture width of every video file.</summary>
    public const int Width = 320;

    /// <summary>Picture height of every video file.</summary>
    public const int Height = 240;

    /// <summary>Frame rate of every video file.</summary>
    public const int FramesPerSecond = 30;

    /// <summary>Frames (access units) in every video file.</summary>
    public const int VideoFrameCount = 150;

    /// <summary>Frames from one keyframe to the next.</summary>
    public const int KeyFrameInterval = 30;

    /// <summary>Keyframes (IDR / VP8 key frames) in every video file: frames 0, 30, 60, 90, 120.</summary>
    public const int KeyFrameCount = 5;

    /// <summary>Length of every file.</summary>
    public static TimeSpan Duration => TimeSpan.FromSeconds(5);

    /// <summary>
    /// profile_idc, constraint flags and level_idc of the H.264 SPS (hex). x264 marks Constrained Baseline with
    /// constraint_set0+1 (<c>42C01F</c>); it is the same profile as the <c>42e01f</c> browsers offer in SDP.
    /// </summary>
    public const string H264SpsProfileLevelId = "42C01F";

    /// <summary>The SDP <c>profile-level-id</c> to signal for <see cref="H264Path"/> (Constrained Baseline, level 3.1).</summary>
    public const string H264SdpProfileLevelId = "42e01f";

    /// <summary>Opus packets in <see cref="OpusOggPath"/> (not counting OpusHead/OpusTags): 5 s plus the 312-sample pre-skip.</summary>
    public const int OpusPacketCount = 251;

    /// <summary>Samples (at 48 kHz) in every Opus packet: 20 ms.</summary>
    public const int OpusSamplesPerPacket = 960;

    /// <summary>Opus encoder pre-skip in samples (from OpusHead).</summary>
    public const int OpusPreSkip = 312;

    /// <summary>Channels in the Opus file.</summary>
    public const int OpusChannels = 1;

    /// <summary>Bytes in <see cref="PcmuPath"/>: 8,000 samples a second for 5 s, one byte each.</summary>
    public const int PcmuByteCount = 40_000;

    /// <summary>Bytes of one 20 ms PCMU frame (RTP payload, timestamp step 160 at 8 kHz).</summary>
    public const int PcmuBytesPer20Ms = 160;

    /// <summary>The four quadrants, with their centres as sample points.</summary>
    public static IReadOnlyList<TestPatternQuadrant> Quadrants { get; } =
    [
        new("top-left", 0.25, 0.25, Rgb.Red),
        new("top-right", 0.75, 0.25, Rgb.Green),
        new("bottom-left", 0.25, 0.75, Rgb.Blue),
        new("bottom-right", 0.75, 0.75, Rgb.White),
    ];
}
