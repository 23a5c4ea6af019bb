namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>An <see cref="IAwsCredentialsProvider"/> that always returns the same credentials.</summary>
/// <remarks>Thread-safe. <see cref="ToString"/> never reveals the secret access key or the session token.</remarks>
public sealed class StaticCredentialsProvider : IAwsCredentialsProvider
{
    private readonly AwsCredentialsSnapshot _credentials;

    /// <summary>Creates a provider for fixed credentials.</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="sessionToken">The session token, or <see langword="null"/> for long-term credentials.</param>
    /// <exception cref="ArgumentNullException"><paramref name="accessKeyId"/> or <paramref name="secretAccessKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> or <paramref name="secretAccessKey"/> is empty.</exception>
    public StaticCredentialsProvider(string accessKeyId, string secretAccessKey, string? sessionToken = null)
        : this(new AwsCredentialsSnapshot(accessKeyId, secretAccessKey, sessionToken))
    {
    }

    /// <summary>Creates a provider for fixed credentials.</summary>
    /// <param name="credentials">The credentials to return.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is null.</exception>
    public StaticCredentialsProvider(AwsCredentialsSnapshot credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
    }

    /// <inheritdoc />
    public ValueTask<AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_credentials);
    }

    /// <summary>Returns a description holding only the access key id.</summary>
    /// <returns>A string that contains no secret material.</returns>
    public override string ToString() => $"StaticCredentialsProvider {{ AccessKeyId = {_credentials.AccessKeyId} }}";
}
