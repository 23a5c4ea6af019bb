using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sdp;

/// <summary>Loads the real SDP samples in TestData/Sdp (see its README for where each came from).</summary>
internal static class SdpSamples
{
    public static readonly string[] All =
    [
        "chromium-av-offer.sdp",
        "chromium-av-answer.sdp",
        "chromium-datachannel-offer.sdp",
        "chromium-datachannel-answer.sdp",
        "chromium-simulcast-offer.sdp",
        "firefox-datachannel-offer.sdp",
        "firefox-datachannel-answer.sdp",
        "firefox-av-recvonly-offer.sdp",
        "kvs-c-sdk-safari-mac-offer.sdp",
        "kvs-c-sdk-legacy-datachannel-offer.sdp",
        "kvs-c-sdk-audio-answer-style.sdp",
    ];

    public static string Load(string name) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "Sdp", name));
}
