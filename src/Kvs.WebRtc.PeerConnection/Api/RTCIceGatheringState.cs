namespace Kvs.WebRtc.PeerConnection;

/// <summary>Progress of local candidate gathering (W3C <c>RTCIceGatheringState</c>).</summary>
public enum RTCIceGatheringState
{
    /// <summary>Gathering has not started.</summary>
    New,

    /// <summary>Candidates are being gathered and trickled.</summary>
    Gathering,

    /// <summary>Gathering finished (end-of-candidates was signalled).</summary>
    Complete,
}
