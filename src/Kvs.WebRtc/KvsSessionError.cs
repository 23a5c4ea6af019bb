namespace Kvs.WebRtc;

/// <summary>Why a channel or session operation failed; carried by <see cref="KvsSessionException"/>.</summary>
public enum KvsSessionError
{
    /// <summary>An error without a more specific code (only the parameterless and message-only constructors use it).</summary>
    Unknown,

    /// <summary>
    /// The master answered the viewer's offer with a refusal, or the signaling service refused the viewer at the
    /// channel's viewer limit: see <see cref="KvsSessionException.Reason"/> and
    /// <see cref="KvsSessionException.RefusedBySignalingService"/>.
    /// </summary>
    ViewerRefused,

    /// <summary>
    /// WebRTC ingestion was asked for (<see cref="KvsChannelOptions.UseMediaStorage"/>,
    /// <see cref="Sessions.MasterSessionOptions.JoinStorageSession"/>) but the channel is not linked to a Kinesis video
    /// stream: enable it with <c>UpdateMediaStorageConfiguration</c> (status <c>ENABLED</c> and a stream ARN) first.
    /// </summary>
    MediaStorageNotEnabled,

    /// <summary>
    /// A viewer did not get the master's answer, a connected peer connection or an open data channel within
    /// <see cref="Sessions.ViewerSessionOptions.ConnectTimeout"/>.
    /// </summary>
    ConnectTimeout,

    /// <summary>
    /// The other side did not answer a new offer in time: a viewer the master's re-offer within
    /// <see cref="Sessions.MasterSessionOptions.ViewerConnectTimeout"/>, or the master a viewer's ICE restart within
    /// <see cref="Sessions.ViewerSessionOptions.ConnectTimeout"/>.
    /// </summary>
    AnswerTimeout,

    /// <summary>No viewer with that client id is connected (or it has no open data channel), for example because it just left.</summary>
    ViewerNotConnected,
}
