namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>UntagResource</c> (<c>POST /UntagResource</c>).</summary>
public sealed class UntagResourceRequest
{
    /// <summary>The ARN of the channel (or stream).</summary>
    public required string ResourceARN { get; init; }

    /// <summary>The keys of the tags to remove (1–50).</summary>
    public required IReadOnlyList<string> TagKeyList { get; init; }
}
