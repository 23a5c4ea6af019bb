using System.Text;

namespace Kvs.WebRtc.Hosting;

/// <summary>
/// Where and how the app reaches its KVS signaling channel, bound from configuration (section <c>Kvs</c> by default:
/// <c>appsettings.json</c>, environment variables such as <c>Kvs__Channel</c>, the command line) and validated when
/// the host starts.
/// </summary>
/// <remarks>
/// <para>Credentials: <see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/> when set, else the shared-config
/// <see cref="Profile"/> when set, else the AWS default chain (environment, profile, SSO, container, instance metadata)
/// through AWSSDK.Core.</para>
/// <para><see cref="ToString"/> and validation messages never contain the secret access key or the session token.</para>
/// </remarks>
/// <example>
/// <code>
/// {
///   "Kvs": {
///     "Channel": "front-door",
///     "Region": "us-west-2",
///     "Reconnect": { "MaxDelay": "00:00:30" },
///     "Ice": { "UseTurn": true },
///     "Master": { "MaxViewers": 4 }
///   }
/// }
/// </code>
/// </example>
public sealed class KvsWebRtcOptions
{
    /// <summary>The configuration section the options are bound from unless another is given: <c>Kvs</c>.</summary>
    public const string DefaultSectionName = "Kvs";

    /// <summary>The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client used for control-plane and GetIceServerConfig calls.</summary>
    public const string HttpClientName = "Kvs.WebRtc";

    /// <summary>The signaling channel's name (1-256 of <c>[a-zA-Z0-9_.-]</c>) or its ARN. Required.</summary>
    public string? Channel { get; set; }

    /// <summary>The AWS region of the channel, e.g. <c>us-west-2</c>. Required.</summary>
    public string? Region { get; set; }

    /// <summary>A profile of the shared AWS config and credentials files to take credentials from. Default: none (the default chain).</summary>
    public string? Profile { get; set; }

    /// <summary>An explicit access key id (with <see cref="SecretAccessKey"/>). Default: none.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key belonging to <see cref="AccessKeyId"/>. Secret: never printed.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>The session token of temporary explicit credentials. Secret: never printed.</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// Overrides the control-plane endpoint (an absolute <c>http</c> or <c>https</c> URL), e.g. a local emulator's.
    /// Default: the regional KVS endpoint.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Creates the channel (SINGLE_MASTER) when it does not exist. Default <see langword="true"/>.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Persists resolved endpoints in this file so a restarted device skips the control plane. Default: in memory only.</summary>
    public string? EndpointCacheFile { get; set; }

    /// <summary>How the signaling connection reconnects (section <c>Kvs:Reconnect</c>).</summary>
    public KvsReconnectOptions Reconnect { get; set; } = new();

    /// <summary>Which ICE servers peers get (section <c>Kvs:Ice</c>).</summary>
    public KvsIceOptions Ice { get; set; } = new();

    /// <summary>Viewer limits and restart back-off of the hosted master (section <c>Kvs:Master</c>).</summary>
    public KvsMasterOptions Master { get; set; } = new();

    /// <summary>Describes the options without secrets: the access key id is shown, the secret key and token only as set or not.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("KvsWebRtcOptions { ");
        text.Append("Channel = ").Append(Channel)
            .Append(", Region = ").Append(Region)
            .Append(", Credentials = ").Append(DescribeCredentials())
            .Append(", ServiceUrl = ").Append(ServiceUrl)
            .Append(", CreateIfMissing = ").Append(CreateIfMissing)
            .Append(", EndpointCacheFile = ").Append(EndpointCacheFile)
            .Append(", Reconnect = ").Append(Reconnect)
            .Append(", Ice = ").Append(Ice)
            .Append(", Master = ").Append(Master)
            .Append(" }");
        return text.ToString();
    }

    private string DescribeCredentials()
    {
        if (!string.IsNullOrEmpty(AccessKeyId) || !string.IsNullOrEmpty(SecretAccessKey))
        {
            var secret = string.IsNullOrEmpty(SecretAccessKey) ? "not set" : "***";
            var token = string.IsNullOrEmpty(SessionToken) ? string.Empty : ", SessionToken ***";
            return $"explicit (AccessKeyId {AccessKeyId}, SecretAccessKey {secret}{token})";
        }

        return string.IsNullOrEmpty(Profile) ? "default chain" : $"profile {Profile}";
    }
}
