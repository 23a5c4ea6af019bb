namespace Kvs.WebRtc.Testing.Media;

/// <summary>An 8-bit RGB colour, e.g. a sampled video pixel or an expected test-pattern colour.</summary>
/// <param name="R">Red, 0..255.</param>
/// <param name="G">Green, 0..255.</param>
/// <param name="B">Blue, 0..255.</param>
public readonly record struct Rgb(int R, int G, int B)
{
    /// <summary>Pure red.</summary>
    public static Rgb Red => new(255, 0, 0);

    /// <summary>Pure green.</summary>
    public static Rgb Green => new(0, 255, 0);

    /// <summary>Pure blue.</summary>
    public static Rgb Blue => new(0, 0, 255);

    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>True when every channel differs from <paramref name="other"/> by at most <paramref name="tolerance"/>.</summary>
    public bool IsNear(Rgb other, int tolerance) =>
        Math.Abs(R - other.R) <= tolerance && Math.Abs(G - other.G) <= tolerance && Math.Abs(B - other.B) <= tolerance;

    /// <summary>The largest per-channel difference to <paramref name="other"/>.</summary>
    public int DistanceTo(Rgb other) => Math.Max(Math.Abs(R - other.R), Math.Max(Math.Abs(G - other.G), Math.Abs(B - other.B)));

    /// <inheritdoc />
    public override string ToString() => $"rgb({R},{G},{B})";
}
