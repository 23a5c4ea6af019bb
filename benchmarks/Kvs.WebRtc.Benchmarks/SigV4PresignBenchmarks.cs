using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Benchmarks;

/// <summary>
/// Presigning a ConnectAsViewer WebSocket URL: <see cref="SigV4Signer.PresignUrl"/> against AWSSDK.Core's public
/// <see cref="AWSSigV4Signer.Presign"/> on the same input (fixed signing time), with and without a session token.
/// </summary>
[MemoryDiagnoser]
public class SigV4PresignBenchmarks
{
    private const string Endpoint = "wss://v-05a6c86a.kinesisvideo.us-west-2.amazonaws.com";
    private const string ChannelArn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1712136149494";
    private const string ClientId = "viewer-1.test_A";
    private const string AccessKeyId = "AKIDEXAMPLE";
    private const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string SessionToken =
        "FwoGZXIvYXdzEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/" +
        "IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE=";

    private static readonly DateTimeOffset s_signingTime = new(2024, 4, 3, 9, 22, 29, TimeSpan.Zero);
    private static readonly TimeSpan s_expires = TimeSpan.FromSeconds(299);

    private readonly SigV4Signer _signer = new();
    private readonly KeyValuePair<string, string>[] _query = [new("X-Amz-ChannelARN", ChannelArn), new("X-Amz-ClientId", ClientId)];
    private AwsCredentialsSnapshot _credentials = null!;
    private AWSSigningRequest _sdkRequest = null!;
    private AWSSigV4Parameters _sdkParameters = null!;

    /// <summary>Whether the credentials carry a session token (signed as X-Amz-Security-Token).</summary>
    [Params(false, true)]
    public bool WithSessionToken { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _credentials = new AwsCredentialsSnapshot(AccessKeyId, SecretAccessKey, WithSessionToken ? SessionToken : null);
        _sdkRequest = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Get,
            RequestUri = new Uri(Endpoint + "/?X-Amz-ChannelARN=" + Uri.EscapeDataString(ChannelArn) + "&X-Amz-ClientId=" + Uri.EscapeDataString(ClientId)),
        };
        _sdkParameters = new AWSSigV4Parameters
        {
            Credentials = WithSessionToken
                ? new SessionAWSCredentials(AccessKeyId, SecretAccessKey, SessionToken)
                : new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
            Region = RegionEndpoint.USWest2,
            Service = SigV4Signer.KinesisVideoServiceName,
            SignedAt = s_signingTime.UtcDateTime,
        };
    }

    [Benchmark(Baseline = true, Description = "AWSSDK.Core AWSSigV4Signer.Presign")]
    public Uri AwsSdkCore() => AWSSigV4Signer.Presign(_sdkRequest, _sdkParameters, s_expires).Uri;

    [Benchmark(Description = "Kvs.WebRtc SigV4Signer.PresignUrl")]
    public string KvsWebRtc() => _signer.PresignUrl(Endpoint, _query, _credentials, "us-west-2", SigV4Signer.KinesisVideoServiceName, s_expires, s_signingTime);
}
