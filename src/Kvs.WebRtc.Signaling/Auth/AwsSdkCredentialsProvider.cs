using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>
/// An <see cref="IAwsCredentialsProvider"/> that adapts AWSSDK.Core credentials (<see cref="AWSCredentials"/>):
/// environment variables, shared profiles, SSO, web identity, container and instance-profile credentials.
/// </summary>
/// <remarks>
/// Thread-safe. Every call asks the wrapped <see cref="AWSCredentials"/> again, so refreshing AWSSDK.Core credentials
/// (which renew themselves shortly before they expire) are always current. <see cref="ToString"/> never reveals the
/// secret access key or the session token.
/// </remarks>
public sealed class AwsSdkCredentialsProvider : IAwsCredentialsProvider
{
    private readonly AWSCredentials? _credentials;
    private readonly DefaultAWSCredentialsIdentityResolver? _resolver;

    /// <summary>Wraps AWSSDK.Core credentials.</summary>
    /// <param name="credentials">The credentials to adapt, for example <c>BasicAWSCredentials</c> or <c>SessionAWSCredentials</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is null.</exception>
    public AwsSdkCredentialsProvider(AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
    }

    private AwsSdkCredentialsProvider(DefaultAWSCredentialsIdentityResolver resolver) => _resolver = resolver;

    /// <summary>
    /// Creates a provider backed by the AWSSDK.Core default credentials chain (environment variables, shared
    /// credentials and config files, SSO, web identity, ECS container and EC2 instance profile). The chain is resolved
    /// lazily on the first <see cref="GetCredentialsAsync"/> call, so creating the provider never performs I/O.
    /// </summary>
    /// <returns>A provider for the default chain.</returns>
    public static AwsSdkCredentialsProvider CreateDefault() => new(new DefaultAWSCredentialsIdentityResolver());

    /// <inheritdoc />
    /// <exception cref="AmazonClientException">No credentials could be resolved, or the wrapped credentials failed to refresh.</exception>
    public async ValueTask<AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var source = _credentials
            ?? await _resolver!.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
        var immutable = await source.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new AmazonClientException("The AWS credentials source returned no credentials.");
        return ToSnapshot(immutable);
    }

    /// <summary>Returns a description of the credentials source; it contains no secret material.</summary>
    /// <returns>A string naming the wrapped credentials type.</returns>
    public override string ToString() =>
        _credentials is null
            ? "AwsSdkCredentialsProvider { Source = default chain }"
            : $"AwsSdkCredentialsProvider {{ Source = {_credentials.GetType().Name} }}";

    internal static AwsCredentialsSnapshot ToSnapshot(ImmutableCredentials credentials)
    {
        if (string.IsNullOrEmpty(credentials.AccessKey) || string.IsNullOrEmpty(credentials.SecretKey))
        {
            throw new AmazonClientException("The AWS credentials source returned an empty access key id or secret access key.");
        }

        DateTimeOffset? expiration = credentials is AssumeRoleImmutableCredentials assumed
            ? new DateTimeOffset(DateTime.SpecifyKind(assumed.Expiration.ToUniversalTime(), DateTimeKind.Utc))
            : null;
        return new AwsCredentialsSnapshot(credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null, expiration);
    }
}
