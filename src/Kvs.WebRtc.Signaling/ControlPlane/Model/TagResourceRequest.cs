namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>Input of <c>TagResource</c> (<c>POST /TagResource</c>).</summary>
public sealed class TagResourceRequest
{
    /// <summary>The ARN of the channel (or stream) to tag.</summary>
    public required string ResourceARN { get; init; }

    /// <summary>The tags to add or overwrite (1–50).</summary>
    public required IReadOnlyList<Tag> Tags { get; init; }
}
