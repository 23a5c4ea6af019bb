using System.Text;

namespace Kvs.WebRtc.PeerConnection.DataChannels;

/// <summary>A message received on an <see cref="RTCDataChannel"/> (W3C <c>MessageEvent</c>).</summary>
public sealed class RTCDataChannelMessageEventArgs : EventArgs
{
    private string? _text;

    internal RTCDataChannelMessageEventArgs(RTCDataChannelMessageType type, byte[] data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>Text or binary.</summary>
    public RTCDataChannelMessageType Type { get; }

    /// <summary>The message bytes (UTF-8 for text); empty for an empty message. The receiver owns them.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The message decoded as UTF-8 when <see cref="Type"/> is <see cref="RTCDataChannelMessageType.Text"/>, otherwise null.</summary>
    public string? Text => Type == RTCDataChannelMessageType.Text ? _text ??= Encoding.UTF8.GetString(Data.Span) : null;
}
