using System.Globalization;
using System.Text;
using Kvs.WebRtc.Emulator.Auth;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.Auth.SigV4TestVectors;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

// The aws-c-auth suite is not replayed through the verifier: all its cases are scoped to the service "service",
// and this verifier (the emulator's) accepts only kinesisvideo by design (spec 7.4, WrongService is asserted below).
[TestFixture]
public sealed class SigV4VerifierTests
{
    private static readonly TimeSpan s_skew = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset s_time = new(2024, 4, 3, 9, 22, 29, TimeSpan.Zero);
    private static readonly AwsCredentialsSnapshot s_key = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly AwsCredentialsSnapshot s_temporary = new("ASIAEXAMPLE", "temporarySecret", "tok+en/with=specials");

    private static IEnumerable<TestCaseData> PresignVectors()
    {
        foreach (var file in new[] { JsFile, AndroidFile, DerivedFile })
        {
            foreach (var element in Load(file).GetProperty("cases").EnumerateArray())
            {
                var name = element.GetProperty("name").GetString()!;
                if (file == DerivedFile && element.GetProperty("kind").GetString() != "presigned-wss")
                {
                    continue;
                }

                yield return new TestCaseData(file, name).SetArgDisplayNames(file, name);
            }
        }
    }

    private static IEnumerable<TestCaseData> HeaderVectors() =>
        Cases(DerivedFile, filter: e => e.GetProperty("kind").GetString() == "header-signed-rest-json");

    [TestCaseSource(nameof(PresignVectors))]
    public void VerifyPresigned_KnownAnswerVector_SucceedsAtItsSigningTime(string file, string name)
    {
        var (host, target, credentials, time, service) = PresignVector(file, name);

        var result = SigV4Verifier.VerifyPresigned("GET", host, target, id => id == credentials.AccessKeyId ? credentials : null, time, s_skew);

        // One JS vector deliberately signs for "firehose": the KVS verifier must refuse the foreign service scope.
        if (service == SigV4Signer.KinesisVideoServiceName)
        {
            Assert.That(result.Succeeded, Is.True, result.Message);
            Assert.That(result.AccessKeyId, Is.EqualTo(credentials.AccessKeyId));
            Assert.That(result.Region, Is.EqualTo("us-west-2"));
        }
        else
        {
            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.WrongService));
        }
    }

    [TestCaseSource(nameof(HeaderVectors))]
    public void VerifyHeaderSigned_KnownAnswerVector_SucceedsAtItsSigningTime(string name)
    {
        var vector = Find(DerivedFile, name);
        var input = vector.GetProperty("input");
        var headers = new Dictionary<string, string>(Pairs(vector.GetProperty("expected").GetProperty("requestHeaders")), StringComparer.OrdinalIgnoreCase);
        var credentials = new AwsCredentialsSnapshot(input.GetProperty("accessKeyId").GetString()!,
            input.GetProperty("secretAccessKey").GetString()!, OptionalString(input, "sessionToken"));

        var result = SigV4Verifier.VerifyHeaderSigned(input.GetProperty("method").GetString()!, input.GetProperty("path").GetString()!, "",
            headers, Encoding.UTF8.GetBytes(input.GetProperty("body").GetString()!), id => id == credentials.AccessKeyId ? credentials : null,
            ParseAmzDate(input.GetProperty("amzDate").GetString()!), s_skew);

        Assert.That(result.Succeeded, Is.True, result.Message);
    }

    [Test]
    public void VerifyPresigned_EverySignatureCharacterTampered_FailsWithSignatureMismatch()
    {
        var (host, target, _) = Presign();
        var at = target.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length;
        for (var i = 0; i < 64; i++)
        {
            var chars = target.ToCharArray();
            chars[at + i] = chars[at + i] == '0' ? '1' : '0';

            var result = Verify(host, new string(chars));

            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.SignatureMismatch), $"position {i}");
        }
    }

    [TestCase("X-Amz-ChannelARN=arn%3Aaws", "X-Amz-ChannelARN=arn%3Aawz")]
    [TestCase("X-Amz-ClientId=viewer-1", "X-Amz-ClientId=viewer-2")]
    [TestCase("X-Amz-Expires=299", "X-Amz-Expires=298")]
    [TestCase("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host&X-Amz-Extra=1")]
    [TestCase("?", "/other?")]
    public void VerifyPresigned_ParameterOrPathTampered_Fails(string original, string replacement)
    {
        var (host, target, _) = Presign();
        Assert.That(target, Does.Contain(original));

        var result = Verify(host, target.Replace(original, replacement, StringComparison.Ordinal));

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.SignatureMismatch));
    }

    [TestCase("v-1.kinesisvideo.us-west-2.amazonaws.com:444")]
    [TestCase("v-2.kinesisvideo.us-west-2.amazonaws.com")]
    [TestCase("evil.example.com")]
    public void VerifyPresigned_HostTampered_FailsWithSignatureMismatch(string host)
    {
        var (_, target, _) = Presign();

        Assert.That(Verify(host, target).Failure, Is.EqualTo(SigV4Failure.SignatureMismatch));
    }

    [Test]
    public void VerifyPresigned_ParametersReordered_Succeeds()
    {
        var (host, target, _) = Presign();
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var parameters = target[(q + 1)..].Split('&').Reverse();

        var result = Verify(host, target[..q] + "?" + string.Join('&', parameters));

        Assert.That(result.Succeeded, Is.True, result.Message);
    }

    [Test]
    public void VerifyPresigned_LowerCaseHexEscapes_Succeeds()
    {
        var (host, target, _) = Presign();

        var result = Verify(host, target.Replace("%3A", "%3a", StringComparison.Ordinal));

        Assert.That(result.Succeeded, Is.True, result.Message);
    }

    [Test]
    public void VerifyPresigned_AfterExpiryWindow_FailsWithSignatureExpiredMessage()
    {
        var (host, target, _) = Presign();

        var result = Verify(host, target, s_time + TimeSpan.FromSeconds(299) + s_skew + TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Expired));
            Assert.That(result.Message, Does.StartWith("Signature expired: 20240403T092229Z is now earlier than 20240403T092230Z ("));
        });
    }

    [Test]
    public void VerifyPresigned_WithinExpiryWindow_Succeeds()
    {
        var (host, target, _) = Presign();

        Assert.That(Verify(host, target, s_time + TimeSpan.FromSeconds(299) + s_skew).Succeeded, Is.True);
    }

    [Test]
    public void VerifyPresigned_SignedInTheFuture_FailsWithNotYetCurrentMessage()
    {
        var (host, target, _) = Presign();

        var result = Verify(host, target, s_time - s_skew - TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.NotYetCurrent));
            Assert.That(result.Message, Is.EqualTo("Signature not yet current: 20240403T092229Z is still later than 20240403T092228Z (20240403T091728Z + 5 min.)"));
        });
    }

    [Test]
    public void VerifyHeaderSigned_OlderThanSkew_FailsWithSignatureExpiredMessage()
    {
        var (headers, body) = SignedRest(s_key);

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time.AddMinutes(6), s_skew);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Expired));
            Assert.That(result.Message, Is.EqualTo("Signature expired: 20240403T092229Z is now earlier than 20240403T092329Z (20240403T092829Z - 5 min.)"));
        });
    }

    [Test]
    public void VerifyHeaderSigned_SignedInTheFuture_FailsWithNotYetCurrentMessage()
    {
        var (headers, body) = SignedRest(s_key);

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time.AddMinutes(-6), s_skew);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.NotYetCurrent));
            Assert.That(result.Message, Does.StartWith("Signature not yet current: 20240403T092229Z is still later than "));
        });
    }

    [Test]
    public void VerifyHeaderSigned_EveryBodyByteTampered_FailsWithSignatureMismatch()
    {
        var (headers, body) = SignedRest(s_temporary);
        Assert.That(SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time, s_skew).Succeeded, Is.True);

        for (var i = 0; i < body.Length; i++)
        {
            var tampered = (byte[])body.Clone();
            tampered[i] ^= 0x01;

            var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, tampered, Lookup, s_time, s_skew);

            Assert.That(result.Failure, Is.EqualTo(SigV4Failure.SignatureMismatch), $"byte {i}");
        }
    }

    [TestCase("Host", "kinesisvideo.us-east-1.amazonaws.com")]
    [TestCase("Content-Type", "text/plain")]
    [TestCase("X-Amz-Date", "20240403T092230Z")]
    public void VerifyHeaderSigned_SignedHeaderTampered_Fails(string name, string value)
    {
        var (headers, body) = SignedRest(s_key);
        headers[name] = value;

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time, s_skew);

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.SignatureMismatch).Or.EqualTo(SigV4Failure.Malformed));
    }

    [Test]
    public void VerifyHeaderSigned_UnsignedPayloadDeclared_VerifiesWithoutBodyHash()
    {
        var headers = new[]
        {
            new SigV4Header("host", "kinesisvideo.us-west-2.amazonaws.com"),
            new SigV4Header("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            new SigV4Header("x-amz-date", "20240403T092229Z"),
        };
        var input = new SigV4Input
        {
            Mode = SigV4Mode.Headers,
            Method = "POST",
            Path = "/describeSignalingChannel",
            Headers = headers,
            PayloadHashHex = "UNSIGNED-PAYLOAD"u8,
            Credentials = s_key,
            Region = "us-west-2",
            Service = SigV4Signer.KinesisVideoServiceName,
            SigningTime = s_time,
        };
        var buffer = new PooledByteBuffer(512);
        string signature;
        try
        {
            var layout = SigV4Core.Compute(ref input, ref buffer, SigningKeyCache.Shared);
            signature = Encoding.ASCII.GetString(buffer.Slice(layout.SignatureStart, SigV4Layout.SignatureLength));
        }
        finally
        {
            buffer.Dispose();
        }

        var received = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = "kinesisvideo.us-west-2.amazonaws.com",
            ["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD",
            ["X-Amz-Date"] = "20240403T092229Z",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240403/us-west-2/kinesisvideo/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}",
        };

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", received, "{}"u8, Lookup, s_time, s_skew);

        Assert.That(result.Succeeded, Is.True, result.Message);
    }

    [Test]
    public void VerifyHeaderSigned_WrongPath_FailsWithSignatureMismatch()
    {
        var (headers, body) = SignedRest(s_key);

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/deleteSignalingChannel", "", headers, body, Lookup, s_time, s_skew);

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.SignatureMismatch));
    }

    [Test]
    public void VerifyHeaderSigned_TemporaryKeyWithWrongToken_FailsWithInvalidToken()
    {
        var (headers, body) = SignedRest(s_temporary);
        headers["X-Amz-Security-Token"] = "another-token";

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time, s_skew);

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.InvalidToken));
    }

    [Test]
    public void VerifyHeaderSigned_NoAuthorization_FailsWithMissing()
    {
        var (headers, body) = SignedRest(s_key);
        headers.Remove("Authorization");

        var result = SigV4Verifier.VerifyHeaderSigned("POST", "/describeSignalingChannel", "", headers, body, Lookup, s_time, s_skew);

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Missing));
    }

    [Test]
    public void VerifyPresigned_UnknownAccessKey_FailsWithUnknownAccessKey()
    {
        var (host, target, _) = Presign();

        var result = SigV4Verifier.VerifyPresigned("GET", host, target, _ => null, s_time, s_skew);

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.UnknownAccessKey));
    }

    [TestCase("X-Amz-Algorithm")]
    [TestCase("X-Amz-Credential")]
    [TestCase("X-Amz-Date")]
    [TestCase("X-Amz-Expires")]
    [TestCase("X-Amz-SignedHeaders")]
    [TestCase("X-Amz-Signature")]
    public void VerifyPresigned_RequiredParameterMissing_FailsWithMissing(string parameter)
    {
        var (host, target, _) = Presign();
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var kept = target[(q + 1)..].Split('&').Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal));

        var result = Verify(host, target[..q] + "?" + string.Join('&', kept));

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Missing));
    }

    [Test]
    public void VerifyPresigned_ExpiresAboveSevenDays_FailsWithMalformed()
    {
        var (host, target, _) = Presign();

        var result = Verify(host, target.Replace("X-Amz-Expires=299", "X-Amz-Expires=604801", StringComparison.Ordinal));

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Malformed));
    }

    [Test]
    public void VerifyPresigned_CredentialDateDiffersFromAmzDate_FailsWithMalformed()
    {
        var (host, target, _) = Presign();

        var result = Verify(host, target.Replace("%2F20240403%2F", "%2F20240404%2F", StringComparison.Ordinal));

        Assert.That(result.Failure, Is.EqualTo(SigV4Failure.Malformed));
    }

    [Test]
    public void VerifyPresigned_TemporaryCredentials_RequireTheirToken()
    {
        var url = new SigV4Signer().PresignUrl("wss://v-1.kinesisvideo.us-west-2.amazonaws.com", [new("X-Amz-ChannelARN", "arn")],
            s_temporary, "us-west-2", signingTime: s_time);
        var target = new Uri(url).PathAndQuery;
        var host = new Uri(url).Authority;
        var other = new AwsCredentialsSnapshot(s_temporary.AccessKeyId, s_temporary.SecretAccessKey, "different");

        Assert.Multiple(() =>
        {
            Assert.That(SigV4Verifier.VerifyPresigned("GET", host, target, Lookup, s_time, s_skew).Succeeded, Is.True);
            Assert.That(SigV4Verifier.VerifyPresigned("GET", host, target, _ => other, s_time, s_skew).Failure, Is.EqualTo(SigV4Failure.InvalidToken));
        });
    }

    [Test]
    public void VerifyPresigned_FailureMessages_NeverContainSecretsOrSignature()
    {
        var (host, target, signature) = Presign(s_temporary);
        var messages = new List<string?>
        {
            SigV4Verifier.VerifyPresigned("GET", "other", target, Lookup, s_time, s_skew).Message,
            SigV4Verifier.VerifyPresigned("GET", host, target, _ => new AwsCredentialsSnapshot(s_temporary.AccessKeyId, "x", "y"), s_time, s_skew).Message,
            SigV4Verifier.VerifyPresigned("GET", host, target, Lookup, s_time.AddHours(1), s_skew).Message,
        };

        Assert.That(messages, Is.All.Not.Null.And.All.Not.Contain(signature).And.All.Not.Contain("temporarySecret").And.All.Not.Contain("tok+en"));
    }

    private static AwsCredentialsSnapshot? Lookup(string accessKeyId) =>
        accessKeyId == s_key.AccessKeyId ? s_key : accessKeyId == s_temporary.AccessKeyId ? s_temporary : null;

    private static SigV4VerificationResult Verify(string host, string target, DateTimeOffset? now = null) =>
        SigV4Verifier.VerifyPresigned("GET", host, target, Lookup, now ?? s_time, s_skew);

    private static (string Host, string Target, string Signature) Presign(AwsCredentialsSnapshot? credentials = null)
    {
        var url = new SigV4Signer().PresignUrl("wss://v-1.kinesisvideo.us-west-2.amazonaws.com",
            [new("X-Amz-ChannelARN", "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1"), new("X-Amz-ClientId", "viewer-1")],
            credentials ?? s_key, "us-west-2", signingTime: s_time);
        var uri = new Uri(url);
        return (uri.Authority, uri.PathAndQuery, url[(url.LastIndexOf('=') + 1)..]);
    }

    private static (Dictionary<string, string> Headers, byte[] Body) SignedRest(AwsCredentialsSnapshot credentials)
    {
        var body = "{\"ChannelName\":\"demo-channel\"}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://kinesisvideo.us-west-2.amazonaws.com/describeSignalingChannel")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        new SigV4Signer().SignRequest(request, body, credentials, "us-west-2", signingTime: s_time);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = "kinesisvideo.us-west-2.amazonaws.com",
            ["Content-Type"] = "application/json",
            ["Content-Length"] = body.Length.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(',', header.Value);
        }

        return (headers, body);
    }

    private static (string Host, string Target, AwsCredentialsSnapshot Credentials, DateTimeOffset Time, string Service) PresignVector(string file, string name)
    {
        var vector = Find(file, name);
        var input = vector.GetProperty("input");
        var credentials = new AwsCredentialsSnapshot(input.GetProperty("accessKeyId").GetString()!,
            input.GetProperty("secretAccessKey").GetString()!, OptionalString(input, "sessionToken"));
        var url = vector.GetProperty("expected").GetProperty("signedUrl").GetString()!;
        var time = file switch
        {
            JsFile => DateTimeOffset.Parse(input.GetProperty("date").GetString()!, CultureInfo.InvariantCulture),
            AndroidFile => DateTimeOffset.FromUnixTimeMilliseconds(input.GetProperty("dateEpochMillis").GetInt64()),
            _ => ParseAmzDate(input.GetProperty("amzDate").GetString()!),
        };

        // Take host and target from the raw text: Uri would drop an explicit default port and normalise escapes.
        var afterScheme = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = afterScheme.IndexOfAny(['/', '?']);
        var host = afterScheme[..slash];
        var target = afterScheme[slash..];
        return (host, target.StartsWith('?') ? "/" + target : target, credentials, time, input.GetProperty("service").GetString()!);
    }
}
