namespace Kvs.WebRtc.Signaling.Auth;

/// <summary>Supplies the AWS credentials used to sign requests.</summary>
/// <remarks>
/// Implementations must be thread-safe. Callers ask for credentials before every signature, so a provider of temporary
/// credentials should return refreshed credentials before the previous ones expire.
/// </remarks>
public interface IAwsCredentialsProvider
{
    /// <summary>Returns the credentials to sign the next request with.</summary>
    /// <param name="cancellationToken">Cancels the retrieval.</param>
    /// <returns>The current credentials.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default);
}
