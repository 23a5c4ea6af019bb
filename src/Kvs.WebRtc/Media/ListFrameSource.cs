using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>Frames of a file read whole (bounded by the readers' file size limit).</summary>
internal sealed class ListFrameSource(RTCRtpCodec codec, IReadOnlyList<SourceFrame> frames) : IMediaFrameSource
{
    private int _next;

    public RTCRtpCodec Codec { get; } = codec;

    public bool CanSeek => true;

    public int? Count => frames.Count;

    public ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_next < frames.Count ? frames[_next++] : (SourceFrame?)null);
    }

    public void Seek(int index) => _next = Math.Clamp(index, 0, frames.Count);

    public void Dispose()
    {
    }
}
