namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// An immutable set of AWS credentials (access key id, secret access key, optional session token) used to sign one
/// or more requests. <see cref="ToString"/> never reveals the secret access key or the session token.
/// </summary>
/// <remarks>Instances are immutable and safe to share between threads.</remarks>
public sealed class AwsCredentialsSnapshot
{
    /// <summary>Creates a credentials snapshot.</summary>
    /// <param name="accessKeyId">The access key id (for example <c>AKIA...</c> or <c>ASIA...</c>).</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="sessionToken">The session token of temporary credentials; <see langword="null"/> or empty when none.</param>
    /// <param name="expiration">When temporary credentials expire; <see langword="null"/> when unknown or not applicable.</param>
    /// <exception cref="ArgumentNullException"><paramref name="accessKeyId"/> or <paramref name="secretAccessKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> or <paramref name="secretAccessKey"/> is empty.</exception>
    public AwsCredentialsSnapshot(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
        Expiration = expiration;
    }

    /// <summary>The access key id. Not secret.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key. Never logged and never part of <see cref="ToString"/>.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The session token of temporary credentials, or <see langword="null"/> (an empty token is normalised to null).</summary>
    public string? SessionToken { get; }

    /// <summary>When these credentials expire, or <see langword="null"/> when unknown or long-term.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>Returns a description holding only the access key id, whether a session token is present and the expiration.</summary>
    /// <returns>A string that contains no secret material.</returns>
    public override string ToString()
    {
        var expiration = Expiration is { } e ? e.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none";
        return $"AwsCredentialsSnapshot {{ AccessKeyId = {AccessKeyId}, HasSessionToken = {SessionToken is not null}, Expiration = {expiration} }}";
    }
}
