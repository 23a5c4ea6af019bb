using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Testing;

/// <summary>
/// Waits on peer-connection and data-channel events, shared by the unit, interop and network-lab tests. Each returns a
/// task that completes on the event (or at once when the state already holds) and is cancelled by the token, so a
/// caller bounds it with a timeout token; the event handler is removed either way.
/// </summary>
public static class PeerConnectionWaits
{
    /// <summary>The next message on <paramref name="channel"/>.</summary>
    public static Task<RTCDataChannelMessageEventArgs> NextMessageAsync(RTCDataChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var tcs = new TaskCompletionSource<RTCDataChannelMessageEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, RTCDataChannelMessageEventArgs e) => tcs.TrySetResult(e);
        channel.MessageReceived += Handler;
        return Bound(tcs, () => channel.MessageReceived -= Handler, cancellationToken);
    }

    /// <summary>The next <paramref name="count"/> messages on <paramref name="channel"/>, in order.</summary>
    public static Task<List<RTCDataChannelMessageEventArgs>> NextMessagesAsync(RTCDataChannel channel, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var tcs = new TaskCompletionSource<List<RTCDataChannelMessageEventArgs>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = new List<RTCDataChannelMessageEventArgs>();
        void Handler(object? sender, RTCDataChannelMessageEventArgs e)
        {
            lock (list)
            {
                list.Add(e);
                if (list.Count == count)
                {
                    tcs.TrySetResult(list);
                }
            }
        }

        channel.MessageReceived += Handler;
        return Bound(tcs, () => channel.MessageReceived -= Handler, cancellationToken);
    }

    /// <summary>The next channel the remote side opens on <paramref name="connection"/> (any label).</summary>
    public static Task<RTCDataChannel> NextRemoteChannelAsync(RTCPeerConnection connection, CancellationToken cancellationToken) =>
        NextRemoteChannelAsync(connection, label: null, cancellationToken);

    /// <summary>The next channel the remote side opens on <paramref name="connection"/> with <paramref name="label"/> (any, when null).</summary>
    public static Task<RTCDataChannel> NextRemoteChannelAsync(RTCPeerConnection connection, string? label, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tcs = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, RTCDataChannelEventArgs e)
        {
            if (label is null || e.Channel.Label == label)
            {
                tcs.TrySetResult(e.Channel);
            }
        }

        connection.DataChannel += Handler;
        return Bound(tcs, () => connection.DataChannel -= Handler, cancellationToken);
    }

    /// <summary>The next remote track on <paramref name="connection"/>.</summary>
    public static Task<RemoteMediaTrack> NextTrackAsync(RTCPeerConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tcs = new TaskCompletionSource<RemoteMediaTrack>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, RTCTrackEventArgs e) => tcs.TrySetResult(e.Track);
        connection.Track += Handler;
        return Bound(tcs, () => connection.Track -= Handler, cancellationToken);
    }

    /// <summary>Completes when <paramref name="channel"/> is open.</summary>
    public static Task WaitOpenAsync(RTCDataChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, EventArgs e) => tcs.TrySetResult(true);
        channel.Opened += Handler;
        if (channel.ReadyState == RTCDataChannelState.Open)
        {
            tcs.TrySetResult(true);
        }

        return Bound(tcs, () => channel.Opened -= Handler, cancellationToken);
    }

    /// <summary>Completes when <paramref name="channel"/> is closed.</summary>
    public static Task WaitClosedAsync(RTCDataChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, EventArgs e) => tcs.TrySetResult(true);
        channel.Closed += Handler;
        if (channel.ReadyState == RTCDataChannelState.Closed)
        {
            tcs.TrySetResult(true);
        }

        return Bound(tcs, () => channel.Closed -= Handler, cancellationToken);
    }

    /// <summary>Completes when <paramref name="connection"/> reaches <paramref name="state"/>.</summary>
    public static Task WaitForStateAsync(RTCPeerConnection connection, RTCPeerConnectionState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, EventArgs e)
        {
            if (connection.ConnectionState == state)
            {
                tcs.TrySetResult(true);
            }
        }

        connection.ConnectionStateChanged += Handler;
        if (connection.ConnectionState == state)
        {
            tcs.TrySetResult(true);
        }

        return Bound(tcs, () => connection.ConnectionStateChanged -= Handler, cancellationToken);
    }

    // Cancels the wait with the token and removes the handler once the wait ends, whichever way.
    private static Task<T> Bound<T>(TaskCompletionSource<T> tcs, Action unsubscribe, CancellationToken cancellationToken)
    {
        var registration = cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
        _ = tcs.Task.ContinueWith(
            _ =>
            {
                registration.Dispose();
                unsubscribe();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return tcs.Task;
    }
}
