namespace Kvs.WebRtc.Emulator.Signaling;

/// <summary>The routing table of one channel: its current master and viewers, and the messages waiting for each.</summary>
/// <remarks>Every member is read and written only while holding <see cref="Gate"/>.</remarks>
internal sealed class ChannelSignalingState
{
    public ChannelSignalingState(string channelArn) => ChannelArn = channelArn;

    public string ChannelArn { get; }

    public object Gate { get; } = new();

    public SignalingConnection? Master { get; set; }

    public Dictionary<string, SignalingConnection> Viewers { get; } = new(StringComparer.Ordinal);

    public PendingMessageQueue MasterPending { get; } = new();

    public Dictionary<string, PendingMessageQueue> ViewerPending { get; } = new(StringComparer.Ordinal);

    /// <summary>Drops expired messages from every queue (and empty viewer queues); returns how many expired.</summary>
    public int PruneAll(DateTimeOffset now)
    {
        var expired = MasterPending.Prune(now);
        List<string>? empty = null;
        foreach (var (clientId, queue) in ViewerPending)
        {
            expired += queue.Prune(now);
            if (queue.Count == 0)
            {
                (empty ??= []).Add(clientId);
            }
        }

        if (empty is not null)
        {
            foreach (var clientId in empty)
            {
                ViewerPending.Remove(clientId);
            }
        }

        return expired;
    }
}
