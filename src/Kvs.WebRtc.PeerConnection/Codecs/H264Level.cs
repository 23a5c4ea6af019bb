namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// H.264 levels (ITU-T H.264 Table A-1); the value is level_idc, except <see cref="Level1B"/>, which sorts between
/// <see cref="Level1"/> and <see cref="Level1_1"/> (compare with <see cref="H264ProfileLevelId.CompareLevels"/>).
/// </summary>
internal enum H264Level
{
    /// <summary>Level 1b (level_idc 11 with constraint_set3_flag in Baseline/Main/Extended, or 9).</summary>
    Level1B = 0,

    /// <summary>Level 1.</summary>
    Level1 = 10,

    /// <summary>Level 1.1.</summary>
    Level1_1 = 11,

    /// <summary>Level 1.2.</summary>
    Level1_2 = 12,

    /// <summary>Level 1.3.</summary>
    Level1_3 = 13,

    /// <summary>Level 2.</summary>
    Level2 = 20,

    /// <summary>Level 2.1.</summary>
    Level2_1 = 21,

    /// <summary>Level 2.2.</summary>
    Level2_2 = 22,

    /// <summary>Level 3.</summary>
    Level3 = 30,

    /// <summary>Level 3.1.</summary>
    Level3_1 = 31,

    /// <summary>Level 3.2.</summary>
    Level3_2 = 32,

    /// <summary>Level 4.</summary>
    Level4 = 40,

    /// <summary>Level 4.1.</summary>
    Level4_1 = 41,

    /// <summary>Level 4.2.</summary>
    Level4_2 = 42,

    /// <summary>Level 5.</summary>
    Level5 = 50,

    /// <summary>Level 5.1.</summary>
    Level5_1 = 51,

    /// <summary>Level 5.2.</summary>
    Level5_2 = 52,
}
