namespace Kvs.WebRtc.Emulator.Auth;

/// <summary>The outcome of a SigV4 verification.</summary>
/// <param name="Succeeded">True when the request is authentic and current.</param>
/// <param name="Failure">The failure category; <see cref="SigV4Failure.None"/> on success.</param>
/// <param name="Message">A human-readable failure message (never contains secrets or signatures); null on success.</param>
/// <param name="AccessKeyId">The access key id from the credential scope, when it could be parsed.</param>
/// <param name="Region">The region from the credential scope, when it could be parsed.</param>
internal readonly record struct SigV4VerificationResult(bool Succeeded, SigV4Failure Failure, string? Message, string? AccessKeyId, string? Region)
{
    internal static SigV4VerificationResult Fail(SigV4Failure failure, string message, string? accessKeyId = null, string? region = null) =>
        new(false, failure, message, accessKeyId, region);

    internal static SigV4VerificationResult Success(string accessKeyId, string region) =>
        new(true, SigV4Failure.None, null, accessKeyId, region);
}
