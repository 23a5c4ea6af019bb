using System.Globalization;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The H.264 <c>profile-level-id</c> fmtp parameter (RFC 6184 §8.1): three hex bytes profile_idc, profile-iop
/// (constraint_set0..5 flags) and level_idc, classified into a <see cref="H264Profile"/> and <see cref="H264Level"/>
/// the way libwebrtc does (so that 42e01f, 4240 1f and 42c01f are all Constrained Baseline).
/// </summary>
/// <param name="Profile">The profile.</param>
/// <param name="Level">The level.</param>
internal readonly record struct H264ProfileLevelId(H264Profile Profile, H264Level Level)
{
    private const int ConstraintSet3Flag = 0x10;

    // (profile_idc, mask of the profile-iop bits that matter, their required value, profile); first match wins.
    // RFC 6184 §8.1 Table 5 / ITU-T H.264 A.2: "x1xx0000" means constraint_set1 = 1, set4/5 and reserved = 0.
    private static readonly (byte Idc, byte Mask, byte Value, H264Profile Profile)[] s_patterns =
    [
        (0x42, 0b0100_1111, 0b0100_0000, H264Profile.ConstrainedBaseline),
        (0x4D, 0b1000_1111, 0b1000_0000, H264Profile.ConstrainedBaseline),
        (0x58, 0b1100_1111, 0b1100_0000, H264Profile.ConstrainedBaseline),
        (0x42, 0b0100_1111, 0b0000_0000, H264Profile.Baseline),
        (0x58, 0b1100_1111, 0b1000_0000, H264Profile.Baseline),
        (0x4D, 0b1010_1111, 0b0000_0000, H264Profile.Main),
        (0x64, 0b1111_1111, 0b0000_0000, H264Profile.High),
        (0x64, 0b1111_1111, 0b0000_1100, H264Profile.ConstrainedHigh),
        (0xF4, 0b1111_1111, 0b0000_0000, H264Profile.PredictiveHigh444),
    ];

    /// <summary>What libwebrtc assumes when profile-level-id is absent: Constrained Baseline, level 3.1 (42e01f).</summary>
    public static H264ProfileLevelId Default { get; } = new(H264Profile.ConstrainedBaseline, H264Level.Level3_1);

    /// <summary>Parses six hex digits (e.g. "42e01f"); false for anything else or an unknown profile or level.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out H264ProfileLevelId value)
    {
        value = default;
        if (text.Length != 6 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var numeric))
        {
            return false;
        }

        var profileIdc = (byte)(numeric >> 16);
        var profileIop = (byte)(numeric >> 8);
        var levelIdc = (byte)numeric;
        H264Level level;
        switch (levelIdc)
        {
            case 9:
                level = H264Level.Level1B;
                break;
            case 11:
                level = (profileIop & ConstraintSet3Flag) != 0 && profileIdc is 0x42 or 0x4D or 0x58
                    ? H264Level.Level1B
                    : H264Level.Level1_1;
                break;
            case 10 or 12 or 13 or 20 or 21 or 22 or 30 or 31 or 32 or 40 or 41 or 42 or 50 or 51 or 52:
                level = (H264Level)levelIdc;
                break;
            default:
                return false;
        }

        foreach (var (idc, mask, required, profile) in s_patterns)
        {
            if (idc == profileIdc && (profileIop & mask) == required)
            {
                value = new H264ProfileLevelId(profile, level);
                return true;
            }
        }

        return false;
    }

    /// <summary>Orders levels, with 1b between 1 and 1.1.</summary>
    public static int CompareLevels(H264Level a, H264Level b) => Rank(a).CompareTo(Rank(b));

    /// <summary>The lower of two levels.</summary>
    public static H264Level MinLevel(H264Level a, H264Level b) => CompareLevels(a, b) <= 0 ? a : b;

    /// <summary>
    /// The six-digit form (lower case), e.g. "42e01f"; null for level 1b in a profile that cannot express it
    /// (the High profiles).
    /// </summary>
    public string? ToHexString()
    {
        if (Level == H264Level.Level1B)
        {
            return Profile switch
            {
                H264Profile.ConstrainedBaseline => "42f00b",
                H264Profile.Baseline => "42100b",
                H264Profile.Main => "4d100b",
                _ => null,
            };
        }

        var prefix = Profile switch
        {
            H264Profile.ConstrainedBaseline => "42e0",
            H264Profile.Baseline => "4200",
            H264Profile.Main => "4d00",
            H264Profile.ConstrainedHigh => "640c",
            H264Profile.High => "6400",
            _ => "f400",
        };
        return prefix + ((int)Level).ToString("x2", CultureInfo.InvariantCulture);
    }

    private static int Rank(H264Level level) => level == H264Level.Level1B ? 105 : (int)level * 10;
}
