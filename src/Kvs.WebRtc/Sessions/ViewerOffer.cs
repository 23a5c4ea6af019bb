using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Sessions;

/// <summary>
/// A viewer's offer that a <see cref="MasterSession"/> is about to answer, given to
/// <see cref="MasterSessionOptions.ConfigureViewer"/>: add tracks or transceivers to <see cref="Connection"/> for this
/// viewer only, or <see cref="Refuse"/> it.
/// </summary>
/// <remarks>
/// The session's own <see cref="MasterSessionOptions.Tracks"/> are already added; the offer is applied after the hook
/// returns, so an audio or video section of the offer takes a track the hook added of its kind (as the session's tracks do).
/// A data channel created here opens only when the offer has a data section (<see cref="OffersDataChannel"/>): an answer
/// cannot add one.
/// </remarks>
public sealed class ViewerOffer
{
    private string? _refusalReason;

    internal ViewerOffer(string clientId, RTCPeerConnection connection, string offerSdp)
    {
        ClientId = clientId;
        Connection = connection;
        foreach (var line in offerSdp.Split('\n'))
        {
            // "m=<kind> <port> ...": a section offered with port 0 is one the viewer itself rejected.
            var parts = line.TrimEnd('\r').Split(' ');
            if (parts.Length < 2 || !line.StartsWith("m=", StringComparison.Ordinal) || parts[1] == "0")
            {
                continue;
            }

            switch (parts[0])
            {
                case "m=audio":
                    OffersAudio = true;
                    break;
                case "m=video":
                    OffersVideo = true;
                    break;
                case "m=application":
                    OffersDataChannel = true;
                    break;
            }
        }
    }

    /// <summary>The viewer's signaling client id.</summary>
    public string ClientId { get; }

    /// <summary>The peer connection that will answer this viewer: add its own tracks, transceivers or data channels.</summary>
    public RTCPeerConnection Connection { get; }

    /// <summary>Whether the offer has an audio section (to receive the master's audio, send talkback, or both).</summary>
    public bool OffersAudio { get; }

    /// <summary>Whether the offer has a video section.</summary>
    public bool OffersVideo { get; }

    /// <summary>Whether the offer has a data (SCTP) section.</summary>
    public bool OffersDataChannel { get; }

    /// <summary>The reason given to <see cref="Refuse"/>, or null while the viewer is accepted.</summary>
    public string? RefusalReason => _refusalReason;

    /// <summary>
    /// Refuses this viewer: instead of a session it gets an answer naming <paramref name="reason"/>, and a
    /// <see cref="ViewerSession"/> throws <see cref="KvsSessionException"/> (<see cref="KvsSessionError.ViewerRefused"/>) with it. Its connection is closed.
    /// </summary>
    /// <param name="reason">A short printable reason the viewer may show (at most 200 characters are sent).</param>
    public void Refuse(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _refusalReason = reason;
    }

    /// <inheritdoc />
    public override string ToString() => $"ViewerOffer {ClientId}";
}
