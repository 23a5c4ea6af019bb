namespace Kvs.WebRtc.Signaling;

/// <summary>Validation of the identifiers the signaling protocol constrains (client ids, correlation ids).</summary>
internal static class SignalingIdentifiers
{
    /// <summary>Maximum length of a client id or correlation id.</summary>
    internal const int MaxIdLength = 256;

    /// <summary>True when <paramref name="value"/> matches <c>^[a-zA-Z0-9_.-]{1,256}$</c>.</summary>
    internal static bool IsValidId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="value"/> is a valid correlation id (<c>[a-zA-Z0-9_.-]{1,256}</c>).</summary>
    internal static bool IsValidCorrelationId(ReadOnlySpan<char> value) => IsValidId(value);

    /// <summary>True when <paramref name="value"/> is a valid viewer client id: an id that does not start with <c>AWS_</c> (any case).</summary>
    internal static bool IsValidViewerClientId(ReadOnlySpan<char> value) =>
        IsValidId(value) && !value.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="value"/> is a valid recipient client id (<c>[a-zA-Z0-9_.-]{1,256}</c>).</summary>
    internal static bool IsValidRecipientClientId(ReadOnlySpan<char> value) => IsValidId(value);
}
