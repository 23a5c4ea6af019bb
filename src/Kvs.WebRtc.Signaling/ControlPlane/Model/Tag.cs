namespace Kvs.WebRtc.Signaling.ControlPlane.Model;

/// <summary>A key/value tag on a signaling channel (AWS shape <c>Tag</c>).</summary>
public sealed class Tag
{
    /// <summary>Tag key: 1–128 characters of letters, digits, spaces and <c>_ . : / = + - @</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Tag value: 0–256 characters of letters, digits, spaces and <c>_ . : / = + - @</c>.</summary>
    public required string Value { get; init; }

    /// <summary>Returns <c>Key=Value</c>.</summary>
    public override string ToString() => $"{Key}={Value}";
}
