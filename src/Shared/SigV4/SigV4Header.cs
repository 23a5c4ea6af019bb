namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>A header to sign. Several entries with the same name are joined with ',' in their order.</summary>
/// <param name="Name">The header name (any case; canonicalised to lower case).</param>
/// <param name="Value">The raw value (trimmed and whitespace-collapsed during canonicalisation).</param>
internal readonly record struct SigV4Header(string Name, ReadOnlyMemory<char> Value)
{
    public SigV4Header(string name, string value)
        : this(name, value.AsMemory())
    {
    }
}
