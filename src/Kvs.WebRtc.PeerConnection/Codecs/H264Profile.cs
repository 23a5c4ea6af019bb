namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>H.264 profiles as WebRTC negotiates them (RFC 6184 §8.1, libwebrtc's classification).</summary>
internal enum H264Profile
{
    /// <summary>Constrained Baseline (42e0xx, 4240xx, 42c0xx, 4d80xx, 58c0xx…).</summary>
    ConstrainedBaseline,

    /// <summary>Baseline (4200xx, 5880xx).</summary>
    Baseline,

    /// <summary>Main (4d00xx).</summary>
    Main,

    /// <summary>Constrained High (640cxx).</summary>
    ConstrainedHigh,

    /// <summary>High (6400xx).</summary>
    High,

    /// <summary>Predictive High 4:4:4 (f400xx).</summary>
    PredictiveHigh444,
}
