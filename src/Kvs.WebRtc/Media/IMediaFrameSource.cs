using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.Media;

/// <summary>A sequence of encoded frames of one codec: a file, a directory of one-frame files, or a stream.</summary>
internal interface IMediaFrameSource : IDisposable
{
    /// <summary>The codec of the frames.</summary>
    RTCRtpCodec Codec { get; }

    /// <summary>Frames in one pass, or null for a stream.</summary>
    int? Count { get; }

    /// <summary>True when <see cref="Seek"/> works (files and directories, not streams).</summary>
    bool CanSeek { get; }

    /// <summary>The next frame, or null at the end.</summary>
    /// <exception cref="MediaFormatException">The data is malformed.</exception>
    ValueTask<SourceFrame?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Makes the next read return frame <paramref name="index"/>.</summary>
    void Seek(int index);
}
