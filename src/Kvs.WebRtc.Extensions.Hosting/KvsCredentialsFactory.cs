using Amazon.Runtime.CredentialManagement;
using Kvs.WebRtc.Signaling.Auth;

namespace Kvs.WebRtc.Hosting;

/// <summary>Chooses the credentials source from <see cref="KvsWebRtcOptions"/>: explicit keys, a shared-config profile, or the default chain.</summary>
internal static class KvsCredentialsFactory
{
    /// <summary>Creates the provider.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="sectionPath">The configuration path, named in errors.</param>
    /// <param name="profilesLocation">The shared credentials file to read profiles from; null for the AWS SDK's default locations.</param>
    /// <exception cref="InvalidOperationException">The profile does not exist or yields no credentials.</exception>
    public static IAwsCredentialsProvider Create(KvsWebRtcOptions options, string sectionPath, string? profilesLocation = null)
    {
        if (!string.IsNullOrEmpty(options.AccessKeyId) && !string.IsNullOrEmpty(options.SecretAccessKey))
        {
            return new StaticCredentialsProvider(options.AccessKeyId, options.SecretAccessKey, string.IsNullOrEmpty(options.SessionToken) ? null : options.SessionToken);
        }

        if (string.IsNullOrEmpty(options.Profile))
        {
            return AwsSdkCredentialsProvider.CreateDefault();
        }

        var chain = profilesLocation is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(profilesLocation);
        if (!chain.TryGetAWSCredentials(options.Profile, out var credentials) || credentials is null)
        {
            var key = string.IsNullOrEmpty(sectionPath) ? "Profile" : sectionPath + ":Profile";
            throw new InvalidOperationException(
                $"{key}: the AWS profile '{options.Profile}' was not found in the shared config or credentials files (or it yields no credentials).");
        }

        return new AwsSdkCredentialsProvider(credentials);
    }
}
