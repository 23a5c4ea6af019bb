namespace Kvs.WebRtc.PeerConnection;

/// <summary>
/// The ICE parameters of one side (W3C <see href="https://www.w3.org/TR/webrtc/#dom-rtciceparameters">RTCIceParameters</see>),
/// reduced to the username fragment: the ICE password is a secret of the session and is never exposed here, in
/// <see cref="ToString"/> or in logs.
/// </summary>
public sealed class RTCIceParameters
{
    internal RTCIceParameters(string usernameFragment)
    {
        UsernameFragment = usernameFragment;
    }

    /// <summary>The <c>a=ice-ufrag</c> value (W3C <c>usernameFragment</c>).</summary>
    public string UsernameFragment { get; }

    /// <inheritdoc />
    public override string ToString() => "ufrag " + UsernameFragment;
}
