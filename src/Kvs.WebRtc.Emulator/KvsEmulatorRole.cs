namespace Kvs.WebRtc.Emulator;

/// <summary>The role of a WebSocket client connected to the emulator.</summary>
public enum KvsEmulatorRole
{
    /// <summary>The channel's master (ConnectAsMaster, path <c>/m/{channelId}</c>, no client id).</summary>
    Master,

    /// <summary>A viewer (ConnectAsViewer, path <c>/v/{channelId}</c>, identified by its <c>X-Amz-ClientId</c>).</summary>
    Viewer,
}
