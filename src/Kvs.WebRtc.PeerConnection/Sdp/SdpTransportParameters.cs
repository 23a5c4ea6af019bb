namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// The per-transport values every m= section of a BUNDLE carries: ICE credentials (RFC 8839), certificate
/// fingerprints (RFC 8122) and the DTLS setup role (RFC 8842).
/// </summary>
internal sealed class SdpTransportParameters
{
    public SdpTransportParameters(string iceUfrag, string icePwd, IReadOnlyList<SdpFingerprint> fingerprints, SdpSetup setup)
    {
        ArgumentException.ThrowIfNullOrEmpty(iceUfrag);
        ArgumentException.ThrowIfNullOrEmpty(icePwd);
        ArgumentNullException.ThrowIfNull(fingerprints);
        if (fingerprints.Count == 0)
        {
            throw new ArgumentException("At least one fingerprint is required.", nameof(fingerprints));
        }

        IceUfrag = iceUfrag;
        IcePwd = icePwd;
        Fingerprints = fingerprints;
        Setup = setup;
    }

    public string IceUfrag { get; }

    /// <summary>The ICE password (a secret: never logged; <see cref="ToString"/> leaves it out).</summary>
    public string IcePwd { get; }

    public IReadOnlyList<SdpFingerprint> Fingerprints { get; }

    public SdpSetup Setup { get; }

    /// <summary>Write <c>a=ice-options:trickle</c> (RFC 8840). Default true.</summary>
    public bool TrickleIce { get; init; } = true;

    /// <summary>Write <c>a=ice-lite</c> at session level (RFC 8839 section 5.3). Default false.</summary>
    public bool IceLite { get; init; }

    /// <summary>The same parameters with another setup role.</summary>
    public SdpTransportParameters WithSetup(SdpSetup setup) =>
        new(IceUfrag, IcePwd, Fingerprints, setup) { TrickleIce = TrickleIce, IceLite = IceLite };

    public override string ToString() => $"ufrag={IceUfrag} pwd=<redacted> setup={SdpEnumText.Format(Setup)}";
}
