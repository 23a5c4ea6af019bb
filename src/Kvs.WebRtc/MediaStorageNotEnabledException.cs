namespace Kvs.WebRtc;

/// <summary>
/// WebRTC ingestion was asked for (<see cref="KvsChannelOptions.UseMediaStorage"/>, a master session's
/// <see cref="Sessions.MasterSessionOptions.JoinStorageSession"/>), but the channel is not linked to a Kinesis video
/// stream: enable it with <c>UpdateMediaStorageConfiguration</c> (status <c>ENABLED</c> and a stream ARN) first.
/// </summary>
public sealed class MediaStorageNotEnabledException : InvalidOperationException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public MediaStorageNotEnabledException()
        : this("The signaling channel has no media storage enabled.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public MediaStorageNotEnabledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public MediaStorageNotEnabledException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
