namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The JSON carried (base64-encoded) in <c>ICE_CANDIDATE</c> messages: the W3C <c>RTCIceCandidateInit</c>
/// dictionary (<see href="https://www.w3.org/TR/webrtc/#dom-rtcicecandidateinit"/>).
/// </summary>
/// <param name="Candidate">The candidate attribute, e.g. <c>candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host</c>.</param>
/// <param name="SdpMid">The media stream identification tag (a string on the wire), or null.</param>
/// <param name="SdpMLineIndex">The zero-based m-line index (a number on the wire), or null.</param>
/// <param name="UsernameFragment">The ICE username fragment browsers may add, or null.</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record IceCandidatePayload(string Candidate, string? SdpMid, int? SdpMLineIndex, string? UsernameFragment = null);
