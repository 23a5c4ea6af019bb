using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>
/// Serves the browser page of <c>kvs-emulator --web</c> on a loopback port: <c>/web/</c> (the page, embedded in the tool),
/// <c>/web/kvs-webrtc.min.js</c> (the official KVS JS SDK bundle, from disk, never shipped by us) and the page's JSON
/// API, which does every AWS call and signature on the server through <see cref="WebTarget"/>:
/// <list type="bullet">
/// <item><c>GET /web/api/config</c>: target, region, whether the SDK bundle is there (and how to get it).</item>
/// <item><c>GET /web/api/connect?channel=&amp;role=master|viewer&amp;clientId=</c>: channel ARN, region, WSS endpoint, ICE servers.</item>
/// <item><c>GET /web/api/sign?endpoint=&amp;channelArn=&amp;role=&amp;clientId=</c>: a presigned URL of the channel's endpoint.</item>
/// </list>
/// Errors are <c>{"error": reason}</c> with a 4xx/5xx status.
/// </summary>
/// <remarks>
/// Bounded: 127.0.0.1 only, a request's <c>Host</c> must be a loopback name (so a web site cannot reach the API through DNS
/// rebinding), API requests from another site (<c>Sec-Fetch-Site</c>) are refused, GET only, short query strings, at most
/// <see cref="MaxConnections"/> connections and <see cref="WebTarget.MaxConcurrentCalls"/> AWS calls at once.
/// </remarks>
internal sealed class WebViewerServer : IAsyncDisposable
{
    /// <summary>Most simultaneous connections.</summary>
    public const int MaxConnections = 64;

    /// <summary>Longest query string accepted (an ARN, an endpoint and a client id fit easily).</summary>
    public const int MaxQueryLength = 4096;

    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly WebTarget _target;
    private readonly byte[] _indexHtml;
    private readonly byte[] _pageScript;
    private readonly byte[]? _jsSdk;

    private WebViewerServer(WebApplication app, WebTarget target, byte[] indexHtml, byte[] pageScript, byte[]? jsSdk)
    {
        _app = app;
        _target = target;
        _indexHtml = indexHtml;
        _pageScript = pageScript;
        _jsSdk = jsSdk;
    }

    /// <summary>The page, e.g. <c>http://127.0.0.1:4567/web/</c>.</summary>
    public Uri PageUrl { get; private set; } = null!;

    /// <summary>Whether the JS SDK bundle was found and is served.</summary>
    public bool HasJsSdk => _jsSdk is not null;

    /// <summary>Starts serving on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    /// <param name="target">The service the API calls (not disposed by the server).</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="jsSdkPath">The SDK bundle file, or null when absent (the page then explains how to get it).</param>
    /// <param name="loggerFactory">Logging of the host (framework categories should be limited to warnings).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<WebViewerServer> StartAsync(WebTarget target, int port, string? jsSdkPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        byte[]? jsSdk = null;
        if (jsSdkPath is not null)
        {
            var length = new FileInfo(jsSdkPath).Length;
            if (length > JsSdkBundle.MaxBytes)
            {
                throw new IOException($"{jsSdkPath} is larger than {JsSdkBundle.MaxBytes} bytes; is it the SDK bundle?");
            }

            jsSdk = await File.ReadAllBytesAsync(jsSdkPath, cancellationToken).ConfigureAwait(false);
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(WebViewerServer).Assembly.GetName().Name });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
            kestrel.Limits.MaxRequestBodySize = 1024;
            kestrel.Limits.MaxRequestLineSize = MaxQueryLength + 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var server = new WebViewerServer(app, target, ReadResource("index.html"), ReadResource("kvs-page.js"), jsSdk);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The web listener did not report its address.");
        server.PageUrl = new Uri($"http://127.0.0.1:{new Uri(address).Port}/web/");
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections still open are dropped by DisposeAsync.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(WebViewerServer).Assembly.GetManifestResourceStream("Kvs.WebRtc.Emulator.Tool.Web." + name)
            ?? throw new InvalidOperationException($"The embedded page file {name} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool IsLoopbackHost(HostString host) =>
        host.Host is "127.0.0.1" or "[::1]" || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase);

    private static Task WriteAsync(HttpResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, response.HttpContext.RequestAborted);
    }

    private static Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return WriteAsync(response, status, "application/json; charset=utf-8", buffer.WrittenSpan.ToArray());
    }

    private static Task WriteErrorAsync(HttpResponse response, int status, string reason) =>
        WriteJsonAsync(response, status, json => json.WriteString("error", reason));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (!IsLoopbackHost(request.Host))
        {
            await WriteErrorAsync(response, 403, "The Host header must be 127.0.0.1, localhost or [::1].").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            response.Headers.Allow = "GET";
            await WriteErrorAsync(response, 405, "Only GET is served.").ConfigureAwait(false);
            return;
        }

        if (request.QueryString.Value is { Length: > MaxQueryLength })
        {
            await WriteErrorAsync(response, 414, $"The query string is longer than {MaxQueryLength} characters.").ConfigureAwait(false);
            return;
        }

        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/web/api/", StringComparison.Ordinal))
        {
            await HandleApiAsync(context, path["/web/api/".Length..]).ConfigureAwait(false);
            return;
        }

        switch (path)
        {
            case "/" or "/web":
                response.StatusCode = 302;
                response.Headers.Location = "/web/";
                return;
            case "/web/" or "/web/index.html":
                response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
                await WriteAsync(response, 200, "text/html; charset=utf-8", _indexHtml).ConfigureAwait(false);
                return;
            case "/web/kvs-page.js":
                await WriteAsync(response, 200, "text/javascript; charset=utf-8", _pageScript).ConfigureAwait(false);
                return;
            case "/web/" + JsSdkBundle.FileName when _jsSdk is not null:
                await WriteAsync(response, 200, "text/javascript; charset=utf-8", _jsSdk).ConfigureAwait(false);
                return;
            case "/web/" + JsSdkBundle.FileName:
                await WriteAsync(response, 404, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(JsSdkBundle.Hint)).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(response, 404, "Not found; the page is at /web/.").ConfigureAwait(false);
                return;
        }
    }

    private async Task HandleApiAsync(HttpContext context, string operation)
    {
        var request = context.Request;
        var response = context.Response;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            await WriteErrorAsync(response, 403, "The API only answers the page itself (same origin).").ConfigureAwait(false);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(s_requestTimeout);
        var query = request.Query;
        string? Single(string name) => query[name] is { Count: 1 } value ? value[0] : null;
        try
        {
            switch (operation)
            {
                case "config":
                    await WriteJsonAsync(response, 200, json =>
                    {
                        json.WriteString("target", _target.Name);
                        json.WriteString("region", _target.Region);
                        json.WriteBoolean("createsChannels", _target.CreateChannels);
                        json.WriteBoolean("jsSdk", HasJsSdk);
                        if (!HasJsSdk)
                        {
                            json.WriteString("jsSdkHint", JsSdkBundle.Hint);
                        }
                    }).ConfigureAwait(false);
                    return;
                case "connect":
                {
                    var channel = WebNames.RequireChannelName(Single("channel"));
                    var isMaster = WebNames.RequireIsMaster(Single("role"));
                    var clientId = isMaster ? null : WebNames.RequireClientId(Single("clientId"));
                    var info = await _target.ConnectAsync(channel, isMaster, clientId, timeout.Token).ConfigureAwait(false);
                    await WriteJsonAsync(response, 200, json =>
                    {
                        json.WriteString("channelArn", info.ChannelArn);
                        json.WriteString("channel", channel);
                        json.WriteString("region", info.Region);
                        json.WriteString("role", isMaster ? "MASTER" : "VIEWER");
                        json.WriteString("wssEndpoint", info.WssEndpoint.ToString());
                        json.WriteStartArray("iceServers");
                        foreach (var server in info.IceServers)
                        {
                            json.WriteStartObject();
                            json.WriteStartArray("urls");
                            foreach (var url in server.Urls)
                            {
                                json.WriteStringValue(url);
                            }

                            json.WriteEndArray();
                            if (server.Username is not null)
                            {
                                json.WriteString("username", server.Username);
                                json.WriteString("credential", server.Credential);
                            }

                            json.WriteEndObject();
                        }

                        json.WriteEndArray();
                    }).ConfigureAwait(false);
                    return;
                }

                case "sign":
                {
                    var endpoint = Single("endpoint") ?? throw new WebApiException(400, "endpoint is required.");
                    var channelArn = WebNames.RequireChannelArn(Single("channelArn"));
                    var isMaster = WebNames.RequireIsMaster(Single("role"));
                    var clientId = isMaster ? null : WebNames.RequireClientId(Single("clientId"));
                    if (endpoint.Length > 1024)
                    {
                        throw new WebApiException(400, "endpoint is too long.");
                    }

                    var url = await _target.PresignAsync(endpoint, channelArn, isMaster, clientId, timeout.Token).ConfigureAwait(false);
                    await WriteJsonAsync(response, 200, json => json.WriteString("url", url)).ConfigureAwait(false);
                    return;
                }

                default:
                    throw new WebApiException(404, "Unknown API; use config, connect or sign.");
            }
        }
        catch (WebApiException ex)
        {
            await WriteErrorAsync(response, ex.StatusCode, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteErrorAsync(response, 504, "The service did not answer in time.").ConfigureAwait(false);
        }
    }
}
