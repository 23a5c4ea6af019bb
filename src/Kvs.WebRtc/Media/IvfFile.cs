namespace Kvs.WebRtc.Media;

/// <summary>An IVF file: its 32-byte header and its frames.</summary>
/// <param name="FourCc">Codec, e.g. <c>VP80</c>, <c>VP90</c>, <c>AV01</c>.</param>
/// <param name="Width">Picture width from the header.</param>
/// <param name="Height">Picture height from the header.</param>
/// <param name="TimebaseNumerator">Timebase numerator (seconds per pts unit = numerator / denominator).</param>
/// <param name="TimebaseDenominator">Timebase denominator (the header's "frame rate" field).</param>
/// <param name="HeaderFrameCount">The frame count the header claims (writers may leave it 0 or wrong).</param>
/// <param name="Frames">The frames in file order.</param>
public sealed record IvfFile(
    string FourCc, int Width, int Height, uint TimebaseNumerator, uint TimebaseDenominator, uint HeaderFrameCount,
    IReadOnlyList<IvfFrame> Frames);
