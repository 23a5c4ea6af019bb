namespace Kvs.WebRtc.Testing.Media;

/// <summary>One solid quadrant of the test pattern: where to sample it (normalised to the picture) and its colour.</summary>
/// <param name="Name">E.g. <c>top-left</c>.</param>
/// <param name="X">Horizontal sample point, 0..1 from the left edge (the quadrant's centre).</param>
/// <param name="Y">Vertical sample point, 0..1 from the top edge (the quadrant's centre).</param>
/// <param name="Colour">The colour drawn there.</param>
public readonly record struct TestPatternQuadrant(string Name, double X, double Y, Rgb Colour);
