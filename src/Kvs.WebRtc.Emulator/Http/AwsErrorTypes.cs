namespace Kvs.WebRtc.Emulator.Http;

/// <summary>The AWS error names (<c>x-amzn-ErrorType</c>) the emulator produces.</summary>
internal static class AwsErrorTypes
{
    public const string InvalidArgument = "InvalidArgumentException";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string ResourceInUse = "ResourceInUseException";
    public const string VersionMismatch = "VersionMismatchException";
    public const string ClientLimitExceeded = "ClientLimitExceededException";
    public const string AccountChannelLimitExceeded = "AccountChannelLimitExceededException";
    public const string TagsPerResourceExceededLimit = "TagsPerResourceExceededLimitException";
    public const string AccessDenied = "AccessDeniedException";
    public const string NotAuthorized = "NotAuthorizedException";
    public const string InvalidClient = "InvalidClientException";
    public const string UnknownOperation = "UnknownOperationException";
    public const string InvalidSignature = "InvalidSignatureException";
    public const string IncompleteSignature = "IncompleteSignatureException";
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string ExpiredToken = "ExpiredTokenException";
    public const string InternalFailure = "InternalFailure";
    public const string ServiceUnavailable = "ServiceUnavailableException";
    public const string Serialization = "SerializationException";

    /// <summary>A plausible error name for an HTTP status chosen by a fault (<see cref="KvsEmulatorFaults"/>).</summary>
    public static string ForStatus(int statusCode) => statusCode switch
    {
        400 => ClientLimitExceeded,
        401 => NotAuthorized,
        403 => AccessDenied,
        404 => ResourceNotFound,
        503 => ServiceUnavailable,
        _ => InternalFailure,
    };
}
