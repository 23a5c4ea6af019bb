namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>A request to the page's JSON API that is answered with an HTTP error and a readable reason.</summary>
internal sealed class WebApiException : Exception
{
    public WebApiException()
    {
    }

    public WebApiException(string message)
        : base(message)
    {
    }

    public WebApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WebApiException(int statusCode, string reason)
        : base(reason) => StatusCode = statusCode;

    /// <summary>The HTTP status to answer with (400 unless set).</summary>
    public int StatusCode { get; } = 400;
}
