using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

/// <summary>
/// Returns temporary credentials with a new session token on every call and moves the signing clock one second on,
/// so each (re)connect must produce a different X-Amz-Date and signature.
/// </summary>
internal sealed class TestCredentialsProvider(ManualTimeProvider signingClock) : IAwsCredentialsProvider
{
    public const string AccessKeyId = "AKIDSIGCLIENTTEST";
    public const string SecretAccessKey = "SecretKeyThatMustNeverBeLogged+/=";

    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public static string TokenFor(int call) => $"SessionToken{call}+/=NeverLogged";

    public ValueTask<AwsCredentialsSnapshot> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        signingClock.Advance(TimeSpan.FromSeconds(1));
        return ValueTask.FromResult(new AwsCredentialsSnapshot(AccessKeyId, SecretAccessKey, TokenFor(call)));
    }
}
