using System.Globalization;
using System.Text.Json;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Auth;

/// <summary>Loads the SigV4 known-answer files under shared/testdata/sigv4 and turns them into NUnit test cases.</summary>
internal static class SigV4TestVectors
{
    public const string JsFile = "kvs-webrtc-js-sigv4requestsigner.json";
    public const string AndroidFile = "kvs-webrtc-android-awsv4signer.json";
    public const string AwsCAuthFile = "aws-c-auth-v4-suite.json";
    public const string DerivedFile = "kvs-derived-vectors.json";

    private static readonly Dictionary<string, JsonDocument> s_documents = [];

    public static JsonElement Load(string file)
    {
        lock (s_documents)
        {
            if (!s_documents.TryGetValue(file, out var document))
            {
                document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.TestData("sigv4", file)));
                s_documents[file] = document;
            }

            return document.RootElement;
        }
    }

    public static IEnumerable<TestCaseData> Cases(string file, string arrayName = "cases", Func<JsonElement, bool>? filter = null)
    {
        foreach (var element in Load(file).GetProperty(arrayName).EnumerateArray())
        {
            if (filter is null || filter(element))
            {
                var name = element.GetProperty("name").GetString()!;
                yield return new TestCaseData(name).SetArgDisplayNames(name);
            }
        }
    }

    public static JsonElement Find(string file, string name, string arrayName = "cases")
    {
        foreach (var element in Load(file).GetProperty(arrayName).EnumerateArray())
        {
            if (element.GetProperty("name").GetString() == name)
            {
                return element;
            }
        }

        throw new ArgumentException($"No vector named '{name}' in {file}.", nameof(name));
    }

    public static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static DateTimeOffset ParseAmzDate(string amzDate) =>
        DateTimeOffset.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static List<KeyValuePair<string, string>> Pairs(JsonElement obj)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var property in obj.EnumerateObject())
        {
            list.Add(new(property.Name, property.Value.GetString()!));
        }

        return list;
    }

    /// <summary>Splits a URL into the part before '?' and its query parameters, sorted (order on the wire is not significant).</summary>
    public static (string Prefix, List<string> SortedParameters) Canonicalize(string url)
    {
        var q = url.IndexOf('?', StringComparison.Ordinal);
        var parameters = url[(q + 1)..].Split('&').ToList();
        parameters.Sort(StringComparer.Ordinal);
        return (url[..q], parameters);
    }
}
