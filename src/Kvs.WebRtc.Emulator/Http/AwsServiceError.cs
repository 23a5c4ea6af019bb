using System.Net;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// An AWS error to answer with: thrown by the operation handlers and turned into a rest-json error response
/// (status, <c>x-amzn-ErrorType</c>, <c>{"Message": ...}</c> or <c>{"message": ...}</c>).
/// </summary>
internal sealed class AwsServiceError : Exception
{
    public AwsServiceError()
        : this(AwsErrorTypes.InternalFailure, HttpStatusCode.InternalServerError, "Internal failure.")
    {
    }

    public AwsServiceError(string message)
        : this(AwsErrorTypes.InternalFailure, HttpStatusCode.InternalServerError, message)
    {
    }

    public AwsServiceError(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorType = AwsErrorTypes.InternalFailure;
        StatusCode = HttpStatusCode.InternalServerError;
    }

    public AwsServiceError(string errorType, HttpStatusCode statusCode, string message, bool lowerCaseMessageMember = false)
        : base(message)
    {
        ErrorType = errorType;
        StatusCode = statusCode;
        LowerCaseMessageMember = lowerCaseMessageMember;
    }

    /// <summary>The AWS error name, e.g. <c>ResourceNotFoundException</c>.</summary>
    public string ErrorType { get; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>True for shapes whose body member is <c>message</c> (lower case) rather than <c>Message</c>.</summary>
    public bool LowerCaseMessageMember { get; }

    public static AwsServiceError InvalidArgument(string message) => new(AwsErrorTypes.InvalidArgument, HttpStatusCode.BadRequest, message);

    public static AwsServiceError NotFound(string message) => new(AwsErrorTypes.ResourceNotFound, HttpStatusCode.NotFound, message);

    public static AwsServiceError InUse(string message) => new(AwsErrorTypes.ResourceInUse, HttpStatusCode.BadRequest, message);
}
