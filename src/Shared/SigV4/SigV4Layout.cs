namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>Where <see cref="SigV4Core.Compute"/> wrote each artefact inside its <see cref="PooledByteBuffer"/>.</summary>
internal struct SigV4Layout
{
    public int AmzDateStart;
    public int ScopeStart;
    public int ScopeLength;
    public int SignedHeadersStart;
    public int SignedHeadersLength;
    public int CanonicalRequestStart;
    public int CanonicalRequestLength;
    public int CanonicalQueryStart;
    public int CanonicalQueryLength;
    public int StringToSignStart;
    public int StringToSignLength;
    public int SignatureStart;

    /// <summary>Length of the lower-case hex signature.</summary>
    public const int SignatureLength = 64;

    /// <summary>Length of the amz-date.</summary>
    public const int AmzDateLength = 16;
}
