namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>ListTagsForResource</c> (<c>POST /ListTagsForResource</c>).</summary>
public sealed class ListTagsForResourceRequest
{
    /// <summary>The ARN of the channel (or stream).</summary>
    public required string ResourceARN { get; init; }

    /// <summary>The token from a previous truncated answer; omit at first.</summary>
    public string? NextToken { get; init; }
}
