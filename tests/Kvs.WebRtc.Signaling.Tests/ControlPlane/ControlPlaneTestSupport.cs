using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;

namespace Kvs.WebRtc.Signaling.Tests.ControlPlane;

/// <summary>Shared constants and factories of the control-plane tests.</summary>
internal static class ControlPlaneTestSupport
{
    public const string Region = "us-west-2";
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "FQoGZXIvYXdzEXAMPLETOKEN";
    public const string ChannelArn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1712136149494";
    public static readonly Uri ServiceUrl = new("https://kvs.test/");

    public static KinesisVideoClientOptions Options(HttpMessageHandler handler, TimeProvider? timeProvider = null, int maxErrorRetries = 3) => new()
    {
        Region = Region,
        Credentials = new StaticCredentialsProvider(AccessKeyId, SecretAccessKey, SessionToken),
        ServiceUrl = ServiceUrl,
        HttpClient = new HttpClient(handler),
        TimeProvider = timeProvider,
        RetryBaseDelay = TimeSpan.Zero,
        MaxErrorRetries = maxErrorRetries,
    };

    public static string DescribeJson(string status = "ACTIVE") =>
        "{\"ChannelInfo\":{\"ChannelARN\":\"" + ChannelArn + "\",\"ChannelName\":\"demo-channel\",\"ChannelStatus\":\"" + status +
        "\",\"ChannelType\":\"SINGLE_MASTER\",\"CreationTime\":1712136149.494,\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":60},\"Version\":\"v1\"}}";

    public const string EndpointsJson =
        "{\"ResourceEndpointList\":[{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"https://r-1.kinesisvideo.us-west-2.amazonaws.com\"}," +
        "{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"wss://m-1.kinesisvideo.us-west-2.amazonaws.com\"}]}";
}
