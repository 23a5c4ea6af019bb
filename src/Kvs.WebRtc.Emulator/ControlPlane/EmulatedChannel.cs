using Kvs.WebRtc.Signaling.ControlPlane.Model;

namespace Kvs.WebRtc.Emulator.ControlPlane;

/// <summary>One signaling channel held by the emulator. Mutable members change only under the <see cref="ChannelStore"/> lock.</summary>
internal sealed class EmulatedChannel
{
    private int _messageTtlSeconds;

    public EmulatedChannel(string name, string arn, string channelId, DateTimeOffset creationTime, int messageTtlSeconds, string version)
    {
        Name = name;
        Arn = arn;
        ChannelId = channelId;
        CreationTime = creationTime;
        _messageTtlSeconds = messageTtlSeconds;
        Version = version;
    }

    public string Name { get; }

    public string Arn { get; }

    /// <summary>The id in the emulator's WSS endpoint paths (<c>/m/{id}</c>, <c>/v/{id}</c>): 8 lower-case hex digits.</summary>
    public string ChannelId { get; }

    public DateTimeOffset CreationTime { get; }

    /// <summary>The message TTL for messages sent from now on; readable without the store lock.</summary>
    public int MessageTtlSeconds
    {
        get => Volatile.Read(ref _messageTtlSeconds);
        set => Volatile.Write(ref _messageTtlSeconds, value);
    }

    public string Version { get; set; }

    /// <summary>Tags in insertion order.</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary><c>ENABLED</c> or <c>DISABLED</c> (WebRTC ingestion).</summary>
    public string MediaStorageStatus { get; set; } = "DISABLED";

    public string? MediaStorageStreamArn { get; set; }

    /// <summary>Set once the channel was deleted; connections and messages for it are dropped.</summary>
    public bool IsDeleted { get; set; }

    public ChannelInfo ToChannelInfo() => new()
    {
        ChannelName = Name,
        ChannelARN = Arn,
        ChannelType = ChannelType.SingleMaster,
        ChannelStatus = ChannelStatus.Active,
        CreationTime = CreationTime,
        SingleMasterConfiguration = new SingleMasterConfiguration { MessageTtlSeconds = MessageTtlSeconds },
        Version = Version,
    };
}
