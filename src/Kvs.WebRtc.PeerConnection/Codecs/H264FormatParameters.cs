using System.Globalization;

namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The H.264 fmtp parameters that decide compatibility (RFC 6184 §8.1, §8.2.2): profile-level-id,
/// level-asymmetry-allowed and packetization-mode, with the offer/answer rules libwebrtc applies.
/// </summary>
/// <param name="ProfileLevelId">The profile-level-id text, or null when absent (then 42e01f is assumed, as libwebrtc does).</param>
/// <param name="LevelAsymmetryAllowed">level-asymmetry-allowed=1.</param>
/// <param name="PacketizationMode">packetization-mode (absent = 0).</param>
internal readonly record struct H264FormatParameters(string? ProfileLevelId, bool LevelAsymmetryAllowed, int PacketizationMode)
{
    /// <summary>What we offer by default: Constrained Baseline 3.1, level asymmetry allowed, packetization-mode 1.</summary>
    public static H264FormatParameters Default { get; } = new("42e01f", true, 1);

    /// <summary>Reads the parameters from an fmtp value ("key=value;key=value"); unknown keys are ignored.</summary>
    public static H264FormatParameters Parse(string? fmtp)
    {
        string? profileLevelId = null;
        var asymmetry = false;
        var mode = 0;
        foreach (var part in (fmtp ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (key.Equals("profile-level-id", StringComparison.OrdinalIgnoreCase))
            {
                profileLevelId = value;
            }
            else if (key.Equals("level-asymmetry-allowed", StringComparison.OrdinalIgnoreCase))
            {
                asymmetry = value == "1";
            }
            else if (key.Equals("packetization-mode", StringComparison.OrdinalIgnoreCase))
            {
                _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out mode);
            }
        }

        return new H264FormatParameters(profileLevelId, asymmetry, mode);
    }

    /// <summary>The parsed profile-level-id (the default when absent); false when present but not understood.</summary>
    public bool TryGetProfileLevelId(out H264ProfileLevelId value)
    {
        if (ProfileLevelId is null)
        {
            value = H264ProfileLevelId.Default;
            return true;
        }

        return H264ProfileLevelId.TryParse(ProfileLevelId, out value);
    }

    /// <summary>
    /// True when a remote format can be paired with ours: same packetization-mode and same profile (the level is
    /// negotiated, not matched).
    /// </summary>
    public static bool IsCompatible(H264FormatParameters local, H264FormatParameters remote) =>
        local.PacketizationMode == remote.PacketizationMode
        && local.TryGetProfileLevelId(out var ours)
        && remote.TryGetProfileLevelId(out var theirs)
        && ours.Profile == theirs.Profile;

    /// <summary>
    /// Our answer to a remote offer (RFC 6184 §8.2.2, libwebrtc's rule): our profile, and our level when both sides
    /// allow level asymmetry, otherwise the lower of both levels.
    /// </summary>
    /// <returns>False when the formats are not compatible or the answer level cannot be written for the profile.</returns>
    public static bool TryCreateAnswer(H264FormatParameters local, H264FormatParameters remoteOffer, out H264FormatParameters answer)
    {
        answer = local;
        if (!IsCompatible(local, remoteOffer))
        {
            return false;
        }

        if (local.ProfileLevelId is null && remoteOffer.ProfileLevelId is null)
        {
            return true;
        }

        local.TryGetProfileLevelId(out var ours);
        remoteOffer.TryGetProfileLevelId(out var theirs);
        var asymmetry = local.LevelAsymmetryAllowed && remoteOffer.LevelAsymmetryAllowed;
        var level = asymmetry ? ours.Level : H264ProfileLevelId.MinLevel(ours.Level, theirs.Level);
        var text = new H264ProfileLevelId(ours.Profile, level).ToHexString();
        if (text is null)
        {
            return false;
        }

        answer = local with { ProfileLevelId = text };
        return true;
    }

    /// <summary>The fmtp value, e.g. "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f".</summary>
    public string ToFmtp()
    {
        var text = $"level-asymmetry-allowed={(LevelAsymmetryAllowed ? 1 : 0)};packetization-mode={PacketizationMode.ToString(CultureInfo.InvariantCulture)}";
        return ProfileLevelId is null ? text : text + ";profile-level-id=" + ProfileLevelId;
    }
}
