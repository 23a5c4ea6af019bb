using System.Text.Json;
using System.Text.Json.Nodes;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.JsSdk;

/// <summary>
/// Our <see cref="SigV4Signer"/> against the official KVS JS SDK's <c>SigV4RequestSigner</c> (npm
/// amazon-kinesis-video-streams-webrtc 2.9.0) run in Node: identical signed URLs for the same inputs and time.
/// Inputs stay inside what the JS signer gets right (it leaves <c>! ' ( ) *</c> unencoded, keeps upper-case hosts
/// and explicit default ports; there we follow SigV4 as AWSSDK.Core does, pinned by the last test).
/// </summary>
[TestFixture]
[Category("Interop")]
public sealed class JsSdkSignerInteropTests
{
    // Client ids and other query values: anything encodeURIComponent encodes the SigV4 way (incl. UTF-8).
    private const string QueryChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~ :/+=@,;$&%#é中";

    // Secrets and tokens: the JS signer hashes them with a Latin-1-only byte conversion, so keep them ASCII.
    private const string SecretChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=";

    private static Dictionary<string, string> Query(string url)
    {
        var query = new Uri(url).Query.TrimStart('?');
        return query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    private static async Task<List<JsonObject>> SignWithJsAsync(IEnumerable<object> cases)
    {
        var stdout = await NodeScript.RunAsync("sign.js", JsonSerializer.Serialize(cases), TimeSpan.FromSeconds(60));
        return JsonNode.Parse(stdout)!.AsArray().Select(n => n!.AsObject()).ToList();
    }

    [Test]
    public async Task PresignUrl_RandomisedInputs_MatchesJsSdkSignerExactly()
    {
        var random = new Random(20191201);
        var inputs = new List<(string Endpoint, string Region, AwsCredentialsSnapshot Creds, Dictionary<string, string> Query, DateTimeOffset Time)>();
        for (var i = 0; i < 300; i++)
        {
            var region = new[] { "us-west-2", "us-east-1", "eu-central-1", "ap-northeast-2", "cn-north-1" }[random.Next(5)];
            var host = $"{(random.Next(2) == 0 ? "m" : "v")}-{random.Next():x8}.kinesisvideo.{region}.amazonaws.com";
            var endpoint = "wss://" + host + (random.Next(3) == 0 ? ":" + random.Next(1024, 65535) : string.Empty) + (random.Next(4) == 0 ? "/path/seg" : string.Empty);
            var arn = $"arn:aws:kinesisvideo:{region}:{random.NextInt64(100000000000, 999999999999)}:channel/ch-{random.Next()}/{random.NextInt64(1000000000000, 9999999999999)}";
            var query = new Dictionary<string, string> { ["X-Amz-ChannelARN"] = arn };
            if (random.Next(2) == 0)
            {
                query["X-Amz-ClientId"] = RandomText(random, QueryChars, 1, 40);
            }

            var token = random.Next(2) == 0 ? null : RandomText(random, SecretChars, 20, 300) + "+/=";
            var creds = new AwsCredentialsSnapshot("AKIA" + random.Next(100000, 999999), RandomText(random, SecretChars, 20, 40), token);
            var time = DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(1_500_000_000, 1_900_000_000));
            inputs.Add((endpoint, region, creds, query, time));
        }

        var js = await SignWithJsAsync(inputs.Select(c => new
        {
            endpoint = c.Endpoint,
            region = c.Region,
            service = "kinesisvideo",
            accessKeyId = c.Creds.AccessKeyId,
            secretAccessKey = c.Creds.SecretAccessKey,
            sessionToken = c.Creds.SessionToken,
            date = c.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            queryParams = c.Query,
        }));

        var signer = new SigV4Signer();
        for (var i = 0; i < inputs.Count; i++)
        {
            var (endpoint, region, creds, query, time) = inputs[i];
            var ours = signer.PresignUrl(endpoint, query, creds, region, signingTime: time);
            var theirs = (string?)js[i]["url"];
            Assert.That(theirs, Is.Not.Null, $"JS signer failed on case {i}: {js[i]}");
            Assert.That(Query(ours), Is.EquivalentTo(Query(theirs!)), $"case {i}: {endpoint} {string.Join(",", query)}");
            Assert.That(ours[..ours.IndexOf('?', StringComparison.Ordinal)], Is.EqualTo(theirs![..theirs!.IndexOf('?', StringComparison.Ordinal)]), $"case {i}: scheme, host and path");
        }
    }

    [Test]
    public async Task PresignUrl_ClientIdWithSubDelimiters_FollowsSigV4WhereJsSdkLeavesThemUnencoded()
    {
        var creds = new AwsCredentialsSnapshot("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        var time = new DateTimeOffset(2024, 4, 3, 9, 22, 29, TimeSpan.Zero);
        var query = new Dictionary<string, string>
        {
            ["X-Amz-ChannelARN"] = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1712136149494",
            ["X-Amz-ClientId"] = "viewer(1)!*'",
        };
        var js = await SignWithJsAsync([new
        {
            endpoint = "wss://v-1.kinesisvideo.us-west-2.amazonaws.com",
            region = "us-west-2",
            accessKeyId = creds.AccessKeyId,
            secretAccessKey = creds.SecretAccessKey,
            date = "2024-04-03T09:22:29.000Z",
            queryParams = query,
        }]);
        var ours = new SigV4Signer().PresignUrl("wss://v-1.kinesisvideo.us-west-2.amazonaws.com", query, creds, "us-west-2", signingTime: time);

        Assert.That(Query(ours)["X-Amz-ClientId"], Is.EqualTo("viewer%281%29%21%2A%27"), "strict RFC 3986 (SigV4 UriEncode)");
        Assert.That(Query((string)js[0]["url"]!)["X-Amz-ClientId"], Is.EqualTo("viewer(1)!*'"), "the JS SDK's encodeURIComponent leaves them as is");
        Assert.That(Query(ours)["X-Amz-Signature"], Is.Not.EqualTo(Query((string)js[0]["url"]!)["X-Amz-Signature"]));
    }

    private static string RandomText(Random random, string alphabet, int min, int max)
    {
        var chars = new char[random.Next(min, max + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
