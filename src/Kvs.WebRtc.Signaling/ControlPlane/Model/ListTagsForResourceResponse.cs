namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Output of <c>ListTagsForResource</c>.</summary>
public sealed class ListTagsForResourceResponse
{
    /// <summary>The token for the rest of the tags, if the answer was truncated.</summary>
    public string? NextToken { get; init; }

    /// <summary>The tags as a key → value map (a map on the wire, not a list).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
