using System.Net;
using System.Text;
using System.Threading.Channels;
using Kvs.WebRtc.PeerConnection.Turn;

namespace Kvs.WebRtc.InteropTests.Turn;

/// <summary>Sends text datagrams between two allocations and waits for them, for the coturn tests.</summary>
internal static class RelayTraffic
{
    /// <summary>Collects what <paramref name="allocation"/> receives (bounded).</summary>
    public static Channel<(IPEndPoint Peer, string Text)> Inbox(TurnAllocation allocation)
    {
        var inbox = Channel.CreateBounded<(IPEndPoint, string)>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        allocation.Receiver = (peer, data) => inbox.Writer.TryWrite((peer, Encoding.UTF8.GetString(data)));
        return inbox;
    }

    /// <summary>
    /// Sends <paramref name="text"/> until it shows up in <paramref name="inbox"/> (UDP may lose a datagram even on
    /// loopback), bounded by <paramref name="token"/>; returns the sender the receiving side saw, and the text.
    /// </summary>
    public static async Task<(IPEndPoint Peer, string Text)> Deliver(
        TurnAllocation from, IPEndPoint to, Channel<(IPEndPoint Peer, string Text)> inbox, string text, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        while (true)
        {
            await from.SendAsync(to, bytes, token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var received = await inbox.Reader.ReadAsync(wait.Token);
                    if (received.Text == text)
                    {
                        return received;
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // Not there yet: send again.
            }
        }
    }
}
