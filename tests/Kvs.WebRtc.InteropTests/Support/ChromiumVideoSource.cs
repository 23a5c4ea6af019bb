namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>What Chromium sends as video.</summary>
public enum ChromiumVideoSource
{
    /// <summary>The fake camera (<c>--use-fake-device-for-media-stream</c>): Chromium's moving test pattern, 320x240 requested.</summary>
    FakeCamera,

    /// <summary>
    /// A 320x240 canvas (<c>captureStream(30)</c>) with the four-quadrant pattern of
    /// <see cref="Kvs.WebRtc.Testing.Media.TestMedia.Quadrants"/> and a moving patch in the centre.
    /// </summary>
    TestPattern,

    /// <summary>
    /// A canvas of <see cref="ChromiumOfferOptions.VideoWidth"/> x <see cref="ChromiumOfferOptions.VideoHeight"/> filled with
    /// new random blocks every frame (30 fps; 8x8 pixels from 640 pixels wide, 2x2 below): the encoder always has use for
    /// its whole target bitrate.
    /// </summary>
    Noise,
}
