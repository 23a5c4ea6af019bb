using System.Text;
using System.Text.Json;
using Kvs.WebRtc.Signaling.Auth;
using NUnit.Framework;
using static Kvs.WebRtc.Signaling.Tests.Auth.SigV4TestVectors;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

/// <summary>
/// The lower-level entry point against the generic aws-c-auth SigV4 suite (every case, header and query signing) and
/// the KVS C-SDK-style header vector.
/// </summary>
[TestFixture]
public sealed class SigV4RequestSignerTests
{
    private static IEnumerable<TestCaseData> SuiteCases() => Cases(AwsCAuthFile);

    [TestCaseSource(nameof(SuiteCases))]
    public void Sign_AwsCAuthSuiteHeaderSigning_ReproducesCanonicalRequestStringToSignAndSignature(string name)
    {
        var vector = Find(AwsCAuthFile, name);

        var result = SigV4RequestSigner.Sign(BuildRequest(vector, SigV4Mode.Headers, out var body), body);

        Assert.Multiple(() =>
        {
            Assert.That(result.CanonicalRequest, Is.EqualTo(vector.GetProperty("header_canonical_request").GetString()));
            Assert.That(result.StringToSign, Is.EqualTo(vector.GetProperty("header_string_to_sign").GetString()));
            Assert.That(result.Signature, Is.EqualTo(vector.GetProperty("header_signature").GetString()));
            Assert.That(result.Authorization, Does.EndWith("Signature=" + vector.GetProperty("header_signature").GetString()));
        });
    }

    [TestCaseSource(nameof(SuiteCases))]
    public void Sign_AwsCAuthSuiteQuerySigning_ReproducesCanonicalRequestStringToSignAndSignature(string name)
    {
        var vector = Find(AwsCAuthFile, name);

        var result = SigV4RequestSigner.Sign(BuildRequest(vector, SigV4Mode.Query, out var body), body);

        Assert.Multiple(() =>
        {
            Assert.That(result.CanonicalRequest, Is.EqualTo(vector.GetProperty("query_canonical_request").GetString()));
            Assert.That(result.StringToSign, Is.EqualTo(vector.GetProperty("query_string_to_sign").GetString()));
            Assert.That(result.Signature, Is.EqualTo(vector.GetProperty("query_signature").GetString()));
            Assert.That(result.SignedQuery, Does.Contain("X-Amz-Signature=" + vector.GetProperty("query_signature").GetString()));
        });
    }

    [Test]
    public void Sign_CSdkStyleHeaderSet_ReproducesDerivedVector()
    {
        var vector = Find(DerivedFile, "C SDK style: user-agent signed, token header sent but NOT signed");
        var input = vector.GetProperty("input");
        var expected = vector.GetProperty("expected");
        var host = input.GetProperty("host").GetString()!;
        var request = new SigV4SigningRequest
        {
            Mode = SigV4Mode.Headers,
            Method = input.GetProperty("method").GetString()!,
            Path = input.GetProperty("path").GetString()!,
            Headers = [new("host", host), new("user-agent", input.GetProperty("headersBeforeSigning").GetProperty("user-agent").GetString()!)],
            Credentials = new AwsCredentialsSnapshot(input.GetProperty("accessKeyId").GetString()!,
                input.GetProperty("secretAccessKey").GetString()!, OptionalString(input, "sessionToken")),
            Region = input.GetProperty("region").GetString()!,
            Service = input.GetProperty("service").GetString()!,
            SigningTime = ParseAmzDate(input.GetProperty("amzDate").GetString()!),
            SignSessionToken = false,
            CaptureDiagnostics = true,
        };

        var result = SigV4RequestSigner.Sign(request, Encoding.UTF8.GetBytes(input.GetProperty("body").GetString()!));

        Assert.Multiple(() =>
        {
            Assert.That(result.SignedHeaders, Is.EqualTo("host;user-agent;x-amz-date"));
            Assert.That(result.CanonicalRequest, Is.EqualTo(expected.GetProperty("canonicalRequest").GetString()));
            Assert.That(result.StringToSign, Is.EqualTo(expected.GetProperty("stringToSign").GetString()));
            Assert.That(result.Authorization, Is.EqualTo(expected.GetProperty("authorizationHeader").GetString()));
            Assert.That(result.HeadersToAdd, Does.Contain(new KeyValuePair<string, string>("X-Amz-Security-Token", input.GetProperty("sessionToken").GetString()!)));
        });
    }

    /// <summary>Parses the suite's raw HTTP request ("METHOD target HTTP/1.1", header lines with folding, blank line, body).</summary>
    internal static SigV4SigningRequest BuildRequest(JsonElement vector, SigV4Mode mode, out byte[] body)
    {
        var context = vector.GetProperty("context");
        var credentials = context.GetProperty("credentials");
        var raw = vector.GetProperty("request").GetString()!;
        var blank = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blank < 0 ? raw.TrimEnd('\n') : raw[..blank];
        body = blank < 0 ? [] : Encoding.UTF8.GetBytes(raw[(blank + 2)..]);
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        var omitToken = context.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean();
        return new SigV4SigningRequest
        {
            Mode = mode,
            Method = method,
            Path = q < 0 ? target : target[..q],
            Query = q < 0 ? null : target[(q + 1)..],
            Headers = headers,
            Credentials = new AwsCredentialsSnapshot(credentials.GetProperty("access_key_id").GetString()!,
                credentials.GetProperty("secret_access_key").GetString()!, OptionalString(credentials, "token")),
            Region = context.GetProperty("region").GetString()!,
            Service = context.GetProperty("service").GetString()!,
            SigningTime = DateTimeOffset.Parse(context.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Expires = TimeSpan.FromSeconds(context.GetProperty("expiration_in_seconds").GetInt32()),
            NormalizePath = context.GetProperty("normalize").GetBoolean(),
            SignSessionToken = !omitToken,
            AddContentSha256Header = mode == SigV4Mode.Headers && context.GetProperty("sign_body").GetBoolean(),
            CaptureDiagnostics = true,
        };
    }
}
