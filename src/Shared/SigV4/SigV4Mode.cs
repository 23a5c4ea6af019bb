namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>Where the SigV4 authentication information goes.</summary>
internal enum SigV4Mode
{
    /// <summary>
    /// The canonical request is built from exactly the given headers and query (header signing, where the caller
    /// supplies <c>x-amz-date</c> and friends as headers, and verification of received requests).
    /// </summary>
    Headers,

    /// <summary>
    /// Query signing (presigned URL): <c>X-Amz-Algorithm</c>, <c>X-Amz-Credential</c>, <c>X-Amz-Date</c>,
    /// <c>X-Amz-Expires</c>, <c>X-Amz-SignedHeaders</c> and (when signed) <c>X-Amz-Security-Token</c> are added to the query.
    /// </summary>
    Query,
}
