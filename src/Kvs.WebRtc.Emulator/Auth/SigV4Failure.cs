namespace Kvs.WebRtc.Emulator.Auth;

/// <summary>Why a SigV4 verification failed.</summary>
internal enum SigV4Failure
{
    /// <summary>Verification succeeded.</summary>
    None,

    /// <summary>A required authentication parameter or header is absent.</summary>
    Missing,

    /// <summary>An authentication parameter or header could not be parsed.</summary>
    Malformed,

    /// <summary>The access key id is not known.</summary>
    UnknownAccessKey,

    /// <summary>The recomputed signature differs from the presented one.</summary>
    SignatureMismatch,

    /// <summary>The signature is older than the allowed window.</summary>
    Expired,

    /// <summary>The signing time lies further in the future than the allowed skew.</summary>
    NotYetCurrent,

    /// <summary>The credential scope names another service than <c>kinesisvideo</c>.</summary>
    WrongService,

    /// <summary>The session token does not match the one of the access key.</summary>
    InvalidToken,

    /// <summary>
    /// The signature is valid but the credentials (temporary credentials, a session token) had expired at the time of
    /// the request. Checked by the caller that knows the credentials' expiry (the emulator), not by the verifier.
    /// </summary>
    ExpiredToken,
}
