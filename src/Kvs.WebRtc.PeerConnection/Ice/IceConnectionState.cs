namespace Kvs.WebRtc.PeerConnection.Ice;

/// <summary>
/// The agent's state, named after the W3C <c>RTCIceTransportState</c> values.
/// </summary>
internal enum IceConnectionState
{
    /// <summary>Gathering or waiting for remote credentials; no check has been sent.</summary>
    New,

    /// <summary>Connectivity checks are running and no pair is selected yet.</summary>
    Checking,

    /// <summary>A nominated pair is selected and usable; checks may still run.</summary>
    Connected,

    /// <summary>A pair is selected, checking is over and the remote side signalled end-of-candidates.</summary>
    Completed,

    /// <summary>Consent on the selected pair has not been refreshed for a while (RFC 7675); may recover.</summary>
    Disconnected,

    /// <summary>Every pair failed, or consent was lost (30 s without a response). Recoverable only by an ICE restart.</summary>
    Failed,

    /// <summary>The agent was closed; it ignores all further input.</summary>
    Closed,
}
