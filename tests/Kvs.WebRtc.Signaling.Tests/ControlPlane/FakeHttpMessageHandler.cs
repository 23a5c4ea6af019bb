using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

/// <summary>An in-memory <see cref="HttpMessageHandler"/>: records every request and answers from a responder.</summary>
internal sealed class FakeHttpMessageHandler : HttpMessageHandler
{
    private readonly Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> _responder;

    public FakeHttpMessageHandler(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> responder) => _responder = responder;

    public FakeHttpMessageHandler(Func<RecordedRequest, HttpResponseMessage> responder)
        : this((r, _) => Task.FromResult(responder(r)))
    {
    }

    private readonly SemaphoreSlim _arrivals = new(0);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Waits (at most 10 s) until one more request has arrived than previous calls waited for.</summary>
    public async Task WaitForRequestAsync()
    {
        if (!await _arrivals.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("No request arrived within 10 s.");
        }
    }

    public List<RecordedRequest> RequestList => [.. Requests];

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, string? errorType = null, string? requestId = "req-1")
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (errorType is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", errorType);
        }

        if (requestId is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", requestId);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!, headers, body);
        Requests.Enqueue(recorded);
        _arrivals.Release();
        return await _responder(recorded, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _arrivals.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Uri.AbsolutePath;
}
