using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Samples;

/// <summary>What the console master and viewer share: the channel options for real AWS or the local emulator.</summary>
internal static class SampleChannel
{
    /// <summary>
    /// The key pair the samples' local emulator accepts (<c>kvs-master --local</c> starts it with this pair and
    /// <c>kvs-viewer --local URL</c> signs with it). Only good for that emulator on this machine; never an AWS key.
    /// </summary>
    public static AwsCredentialsSnapshot LocalCredentials { get; } = new("AKIAKVSLOCALSAMPLE01", "kvs-local-emulator-sample-key-only-for-loopback");

    /// <summary>
    /// Channel options. With <paramref name="localServiceUrl"/>: the local emulator and <see cref="LocalCredentials"/>;
    /// otherwise real KVS in <paramref name="region"/> with the AWS default credential chain, or a named profile.
    /// </summary>
    public static KvsChannelOptions Create(string channel, string region, Uri? localServiceUrl, string? profile, ILoggerFactory loggerFactory)
    {
        if (localServiceUrl is not null)
        {
            return new KvsChannelOptions
            {
                Channel = channel,
                Region = region,
                ServiceUrl = localServiceUrl,
                Credentials = new StaticCredentialsProvider(LocalCredentials),
                CreateIfMissing = true,
                LoggerFactory = loggerFactory,
            };
        }

        IAwsCredentialsProvider? credentials = null;
        if (profile is not null)
        {
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out AWSCredentials aws))
            {
                throw new ArgumentException($"No AWS profile '{profile}' in the shared config or credentials file.");
            }

            credentials = new AwsSdkCredentialsProvider(aws);
        }

        return new KvsChannelOptions { Channel = channel, Region = region, Credentials = credentials, LoggerFactory = loggerFactory };
    }

    /// <summary>Peer options: loopback host candidates only against the local emulator (nothing leaves the machine).</summary>
    public static RTCConfiguration? Peers(bool local) =>
        local ? new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] } : null;

    /// <summary>A rate over an interval, e.g. frames per second.</summary>
    public static double Rate(long delta, TimeSpan interval) => interval > TimeSpan.Zero ? delta / interval.TotalSeconds : 0;
}
