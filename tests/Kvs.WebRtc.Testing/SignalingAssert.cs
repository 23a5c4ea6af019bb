using Kvs.WebRtc.Signaling;
using NUnit.Framework;

namespace Kvs.WebRtc.Testing;

/// <summary>Assertions on <see cref="SignalingException"/>, the one exception type of the Signaling package.</summary>
public static class SignalingAssert
{
    /// <summary>
    /// Asserts that <paramref name="code"/> throws a <see cref="SignalingException"/> with <paramref name="error"/> and
    /// the AWS <paramref name="errorCode"/> (null for a local error), and returns it.
    /// </summary>
    public static SignalingException ThrowsAsync(SignalingError error, string? errorCode, AsyncTestDelegate code)
    {
        var ex = Assert.ThrowsAsync<SignalingException>(code)!;
        Assert.That((ex.Error, ex.ErrorCode), Is.EqualTo((error, errorCode)), ex.Message);
        return ex;
    }
}
