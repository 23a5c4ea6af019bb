using System.Text;

namespace Kvs.WebRtc.Sessions;

/// <summary>A data-channel message received from a remote peer of a <see cref="MasterSession"/> or <see cref="ViewerSession"/>.</summary>
/// <param name="ClientId">The viewer's client id (for a <see cref="ViewerSession"/>, the master is <see cref="ViewerSession.MasterClientId"/>).</param>
/// <param name="IsText">True for a text message (UTF-8), false for binary.</param>
/// <param name="Data">The message bytes; owned by the receiver.</param>
public sealed record KvsPeerMessage(string ClientId, bool IsText, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// The label of the data channel the message came on: a session can carry several channels per peer (a viewer's
    /// own, e.g. <c>kvsDataChannel</c>, and every channel the master or the viewer opens besides); empty when unknown.
    /// </summary>
    public string Label { get; init; } = string.Empty;

    /// <summary>The message decoded as UTF-8 when <see cref="IsText"/>, otherwise null.</summary>
    public string? Text => IsText ? Encoding.UTF8.GetString(Data.Span) : null;

    /// <summary>Returns the sender, channel label, kind and size (never the content).</summary>
    public override string ToString() => $"KvsPeerMessage {{ ClientId = {ClientId}, Label = {Label}, {(IsText ? "text" : "binary")}, {Data.Length} bytes }}";
}
