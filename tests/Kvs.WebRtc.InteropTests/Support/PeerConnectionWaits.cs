using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>Bounded waits on our peer connection and data channel events, for the end-to-end interop tests.</summary>
internal static class PeerConnectionWaits
{
    public static Task<List<RTCDataChannelMessageEventArgs>> NextMessagesAsync(RTCDataChannel channel, int count, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<List<RTCDataChannelMessageEventArgs>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = new List<RTCDataChannelMessageEventArgs>();
        EventHandler<RTCDataChannelMessageEventArgs>? handler = null;
        handler = (_, e) =>
        {
            list.Add(e);
            if (list.Count == count)
            {
                channel.MessageReceived -= handler;
                tcs.TrySetResult(list);
            }
        };
        channel.MessageReceived += handler;
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }

    public static Task<RTCDataChannel> NextRemoteChannelAsync(RTCPeerConnection pc, string label, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.DataChannel += (_, e) =>
        {
            if (e.Channel.Label == label)
            {
                tcs.TrySetResult(e.Channel);
            }
        };
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }

    public static Task WaitOpenAsync(RTCDataChannel channel, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Opened += (_, _) => tcs.TrySetResult();
        if (channel.ReadyState == RTCDataChannelState.Open)
        {
            tcs.TrySetResult();
        }

        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }

    public static Task WaitClosedAsync(RTCDataChannel channel, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Closed += (_, _) => tcs.TrySetResult();
        if (channel.ReadyState == RTCDataChannelState.Closed)
        {
            tcs.TrySetResult();
        }

        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }

    public static Task WaitForStateAsync(RTCPeerConnection pc, RTCPeerConnectionState state, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.ConnectionStateChanged += (_, _) =>
        {
            if (pc.ConnectionState == state)
            {
                tcs.TrySetResult();
            }
        };
        if (pc.ConnectionState == state)
        {
            tcs.TrySetResult();
        }

        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }
}
