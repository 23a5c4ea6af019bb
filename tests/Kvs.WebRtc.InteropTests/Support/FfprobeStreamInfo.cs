namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>The first stream of a file as <c>ffprobe -count_frames -show_streams</c> reports it.</summary>
/// <param name="CodecName">E.g. <c>h264</c>, <c>vp8</c>, <c>opus</c>.</param>
/// <param name="Profile">E.g. <c>Constrained Baseline</c>; empty when none.</param>
/// <param name="Width">Picture width (0 for audio).</param>
/// <param name="Height">Picture height (0 for audio).</param>
/// <param name="FramesRead">Decoded frames (<c>nb_read_frames</c>).</param>
/// <param name="SampleRate">Audio sample rate (0 for video).</param>
/// <param name="Channels">Audio channels (0 for video).</param>
public sealed record FfprobeStreamInfo(string CodecName, string Profile, int Width, int Height, int FramesRead, int SampleRate, int Channels);
